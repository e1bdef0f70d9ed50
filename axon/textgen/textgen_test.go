package textgen

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestTokenizeRoundTrip(t *testing.T) {
	toks := Tokenize("The Rays, which are _refracted_ (they say) differ; Newton's Light!")
	want := []string{"the", "rays", ",", "which", "are", "refracted", "they", "say", "differ", ";", "newton's", "light", "!"}
	if !slices.Equal(toks, want) {
		t.Fatalf("Tokenize = %q, want %q", toks, want)
	}
	if got := Tokenize(Detokenize(toks)); !slices.Equal(got, toks) {
		t.Fatalf("round trip = %q", got)
	}
}

func TestCorpusSplit(t *testing.T) {
	if len(corpus) < 200<<10 {
		t.Fatalf("embedded corpus is %d bytes, want a few hundred KB", len(corpus))
	}
	train, held := split(corpus)
	if len(held) == 0 || len(train) < 5*len(held) {
		t.Fatalf("split: %d train, %d held-out paragraphs", len(train), len(held))
	}
	for _, h := range held[:5] {
		if slices.Contains(train, h) {
			t.Fatalf("held-out paragraph also in training: %.60q", h)
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	m := Builtin()
	if m.VocabSize() < 2000 {
		t.Fatalf("vocabulary of %d words", m.VocabSize())
	}
	// A separately trained model generates the same continuation.
	train, _ := split(corpus)
	m2 := Train(train)
	for _, p := range []string{"the light of the sun", "colours", "", "zzz unknown words"} {
		a, b := m.Generate(p, 32), m2.Generate(p, 32)
		if !slices.Equal(a, b) || len(a) != 32 {
			t.Fatalf("prompt %q: %q vs %q", p, a, b)
		}
	}
	// Different prompts give different continuations.
	if slices.Equal(m.Generate("the light of the sun", 32), m.Generate("the rays of the prism", 32)) {
		t.Error("different prompts, same continuation")
	}
	t.Logf("sample: %s", Detokenize(m.Generate("the light of the sun", 32)))
}

func TestScore(t *testing.T) {
	ref := Tokenize("the rays of light are refracted")
	for _, tc := range []struct {
		text string
		want float64
	}{
		{"the rays of light are refracted", 1},
		{"the rays of light are refracted and more words after", 1}, // truncated to the reference length
		{"", 0},
		{"xx yy zz qq ww ee", 0},
		{"the rays of dark are refracted", 5.0 / 6},
		{"rays of light are refracted", 5.0 / 6}, // one deletion
	} {
		if got := Score(tc.text, ref); got < tc.want-1e-9 || got > tc.want+1e-9 {
			t.Errorf("Score(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
	if Score("", nil) != 1 {
		t.Error("empty vs empty")
	}
}

func TestPrompt(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		p := Prompt(r)
		if n := len(Tokenize(p)); n < 8 || n > 16 {
			t.Fatalf("prompt %q has %d tokens", p, n)
		}
	}
}

func TestDecode(t *testing.T) {
	if r, err := DecodeRequest([]byte(`{"prompt":"x","max_tokens":5}`)); err != nil || r.MaxTokens != 5 {
		t.Fatalf("good request: %+v %v", r, err)
	}
	for _, bad := range []string{
		``, `null`, `[]`, `{"prompt":"x"}`, `{"prompt":"x","max_tokens":0}`, `{"prompt":"x","max_tokens":257}`,
		`{"prompt":"x","max_tokens":5,"extra":1}`, `{"prompt":"x","max_tokens":5} {}`, `{"prompt":1,"max_tokens":5}`,
		`{"prompt":"` + strings.Repeat("a", MaxPromptBytes+1) + `","max_tokens":5}`,
	} {
		if _, err := DecodeRequest([]byte(bad)); !errors.Is(err, ErrDecode) {
			t.Errorf("DecodeRequest(%.40q) = %v", bad, err)
		}
	}
	if _, err := DecodeResponse([]byte(`{"text":"a","x":1}`)); !errors.Is(err, ErrDecode) {
		t.Error("unknown response field accepted")
	}
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add([]byte(`{"prompt":"the light","max_tokens":8}`))
	f.Add([]byte(`{"prompt":"\u0000\ud800","max_tokens":256}`))
	m := Builtin()
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeRequest(b)
		if err != nil {
			return
		}
		if out := m.Generate(r.Prompt, r.MaxTokens); len(out) != r.MaxTokens {
			t.Fatalf("generated %d tokens, asked %d", len(out), r.MaxTokens)
		}
	})
}

func FuzzDecodeResponse(f *testing.F) {
	f.Add([]byte(`{"text":"the light of the sun"}`))
	ref := Tokenize("the light of the sun")
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeResponse(b)
		if err != nil {
			return
		}
		if s := Score(r.Text, ref); s < 0 || s > 1 {
			t.Fatalf("score %v outside [0,1]", s)
		}
	})
}

func BenchmarkGenerate(b *testing.B) {
	m := Builtin()
	for b.Loop() {
		m.Generate("the light of the sun is refracted", 32)
	}
}

func BenchmarkTrain(b *testing.B) {
	train, _ := split(corpus)
	for b.Loop() {
		Train(train)
	}
}
