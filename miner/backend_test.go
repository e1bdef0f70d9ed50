package miner

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yumachain/yuma/axon/textgen"
)

func TestQualityBackends(t *testing.T) {
	m := textgen.Builtin()
	ctx := context.Background()
	prompt := "the rays of light which are refracted"
	ref := m.Generate(prompt, 32)
	score := func(b Backend) float64 {
		text, err := b.Complete(ctx, prompt, 32)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := b.Complete(ctx, prompt, 32)
		if again != text {
			t.Fatalf("%T is not deterministic per prompt", b)
		}
		return textgen.Score(text, ref)
	}
	good, noisy, garbage := score(Builtin(m)), score(Noisy(Builtin(m), 0.3, m, 1)), score(Garbage(1))
	t.Logf("good %.2f noisy %.2f garbage %.2f", good, noisy, garbage)
	if good != 1 || !(noisy < 0.95 && noisy > 0.4) || garbage > 0.1 {
		t.Fatalf("scores good %.2f noisy %.2f garbage %.2f", good, noisy, garbage)
	}
}

// fakeUpstream is an OpenAI-compatible server.
func fakeUpstream(t *testing.T, handler func(w http.ResponseWriter, path string, req map[string]any)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad json", 400)
			return
		}
		if r.Header.Get("Authorization") != "Bearer sk-test" {
			http.Error(w, "no key", 401)
			return
		}
		handler(w, r.URL.Path, req)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestOpenAIBackend(t *testing.T) {
	var calls atomic.Int32
	up := fakeUpstream(t, func(w http.ResponseWriter, path string, req map[string]any) {
		calls.Add(1)
		switch path {
		case "/v1/completions":
			if req["prompt"] != "hello" || req["max_tokens"] != float64(8) || req["model"] != "tiny" {
				http.Error(w, "unexpected request", 400)
				return
			}
			_, _ = w.Write([]byte(`{"id":"x","choices":[{"text":" world","index":0}]}`))
		case "/v1/chat/completions":
			msgs, _ := req["messages"].([]any)
			if len(msgs) != 1 {
				http.Error(w, "unexpected messages", 400)
				return
			}
			_, _ = w.Write([]byte(`{"choices":[{"message":{"role":"assistant","content":"chat world"}}]}`))
		default:
			http.NotFound(w, nil)
		}
	})
	cfg := DefaultOpenAI()
	cfg.URL, cfg.Model, cfg.APIKey = up.URL+"/", "tiny", "sk-test"
	b, err := NewOpenAI(cfg, up.Client())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.Complete(context.Background(), "hello", 8); err != nil || got != " world" {
		t.Fatalf("completions: %q %v", got, err)
	}
	cfg.Chat = true
	b, _ = NewOpenAI(cfg, up.Client())
	if got, err := b.Complete(context.Background(), "hello", 8); err != nil || got != "chat world" {
		t.Fatalf("chat: %q %v", got, err)
	}
	cfg.APIKey = "wrong"
	b, _ = NewOpenAI(cfg, up.Client())
	if _, err := b.Complete(context.Background(), "hello", 8); !errors.Is(err, ErrUpstream) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("rejected key: %v", err)
	}
	if calls.Load() != 2 {
		t.Errorf("upstream saw %d valid calls", calls.Load())
	}
}

func TestOpenAIBackendFailures(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang) // before the upstream servers close (cleanups run after)
	for name, tc := range map[string]struct {
		respond func(w http.ResponseWriter)
		cfg     func(*OpenAIConfig)
	}{
		"not json":  {respond: func(w http.ResponseWriter) { _, _ = w.Write([]byte("<html>")) }},
		"no choice": {respond: func(w http.ResponseWriter) { _, _ = w.Write([]byte(`{"choices":[]}`)) }},
		"too big": {
			respond: func(w http.ResponseWriter) {
				_, _ = w.Write([]byte(`{"choices":[{"text":"` + strings.Repeat("a", 200) + `"}]}`))
			},
			cfg: func(c *OpenAIConfig) { c.MaxBodyBytes = 100 },
		},
		"hangs": {
			// The upstream never answers; the backend's own timeout ends the call.
			respond: func(w http.ResponseWriter) { <-hang },
			cfg:     func(c *OpenAIConfig) { c.Timeout = 20 * time.Millisecond },
		},
		"500": {respond: func(w http.ResponseWriter) { http.Error(w, "boom", 500) }},
	} {
		up := fakeUpstream(t, func(w http.ResponseWriter, _ string, _ map[string]any) { tc.respond(w) })
		cfg := DefaultOpenAI()
		cfg.URL, cfg.APIKey = up.URL, "sk-test"
		if tc.cfg != nil {
			tc.cfg(&cfg)
		}
		b, err := NewOpenAI(cfg, up.Client())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Complete(context.Background(), "p", 4); !errors.Is(err, ErrUpstream) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestMinerFrontsUpstream: a miner with the openai backend answers signed
// requests with the upstream's text.
func TestMinerFrontsUpstream(t *testing.T) {
	up := fakeUpstream(t, func(w http.ResponseWriter, _ string, req map[string]any) {
		_ = json.NewEncoder(w).Encode(map[string]any{"choices": []map[string]string{{"text": "upstream says " + req["prompt"].(string)}}})
	})
	e := newEnv(t, func(c *Config) {
		c.Backend.Kind = BackendOpenAI
		c.Backend.OpenAI.URL = up.URL
		c.Backend.OpenAI.APIKey = "sk-test"
	})
	r := e.do(call{})
	if r.status != 200 || !strings.Contains(string(r.body), "upstream says the rays of light") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if err := e.verifyResponse(r); err != nil {
		t.Fatal(err)
	}
}

func FuzzDecodeCompletion(f *testing.F) {
	f.Add([]byte(`{"choices":[{"text":"a"}]}`), false)
	f.Add([]byte(`{"choices":[{"message":{"content":"a"}}]}`), true)
	f.Add([]byte(`{"choices":[{}]}`), true)
	f.Fuzz(func(t *testing.T, b []byte, chat bool) {
		_, _ = decodeCompletion(b, chat)
	})
}
