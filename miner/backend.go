package miner

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/yumachain/yuma/axon"
	"github.com/yumachain/yuma/axon/textgen"
)

// Backend produces a continuation of a prompt: the inference behind the
// built-in textgen task.
type Backend interface {
	Complete(ctx context.Context, prompt string, maxTokens int) (string, error)
}

// TextGen is the miner side of the built-in task over backend.
func TextGen(backend Backend) Handler {
	return NewHandler(textgen.Synapse, textgen.DecodeRequest,
		func(ctx context.Context, _ axon.NeuronInfo, r textgen.Request) (textgen.Response, error) {
			text, err := backend.Complete(ctx, r.Prompt, r.MaxTokens)
			if err != nil {
				return textgen.Response{}, err
			}
			return textgen.Response{Text: text}, nil
		})
}

// Builtin is the in-process n-gram model.
func Builtin(m *textgen.Model) Backend { return builtinBackend{m} }

type builtinBackend struct{ m *textgen.Model }

func (b builtinBackend) Complete(ctx context.Context, prompt string, n int) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return textgen.Detokenize(b.m.Generate(prompt, n)), nil
}

// promptRand is a generator seeded by seed and the prompt, so degraded
// output is reproducible per prompt without shared mutable state.
func promptRand(seed uint64, prompt string) *rand.Rand {
	h := sha256.Sum256([]byte(prompt))
	return rand.New(rand.NewPCG(seed, binary.BigEndian.Uint64(h[:8])))
}

// Noisy replaces each token of b's output, with probability fraction, by
// a random word of vocab.
func Noisy(b Backend, fraction float64, vocab *textgen.Model, seed uint64) Backend {
	return noisyBackend{b, fraction, vocab, seed}
}

type noisyBackend struct {
	b        Backend
	fraction float64
	vocab    *textgen.Model
	seed     uint64
}

func (n noisyBackend) Complete(ctx context.Context, prompt string, maxTokens int) (string, error) {
	text, err := n.b.Complete(ctx, prompt, maxTokens)
	if err != nil {
		return "", err
	}
	r := promptRand(n.seed, prompt)
	toks := textgen.Tokenize(text)
	for i := range toks {
		if r.Float64() < n.fraction {
			toks[i] = n.vocab.Word(r.IntN(n.vocab.VocabSize()))
		}
	}
	return textgen.Detokenize(toks), nil
}

// Garbage answers random lowercase "words", ignoring the prompt's meaning.
func Garbage(seed uint64) Backend { return garbageBackend{seed} }

type garbageBackend struct{ seed uint64 }

func (g garbageBackend) Complete(_ context.Context, prompt string, maxTokens int) (string, error) {
	r := promptRand(g.seed, prompt)
	words := make([]string, maxTokens)
	for i := range words {
		w := make([]byte, 1+r.IntN(9))
		for j := range w {
			w[j] = byte('a' + r.IntN(26))
		}
		words[i] = string(w)
	}
	return strings.Join(words, " "), nil
}

// NewBackend builds the backend cfg describes. model is the built-in
// model (also the noisy vocabulary); client is used for upstreams.
func NewBackend(cfg BackendConfig, model *textgen.Model, client HTTPDoer) (Backend, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var b Backend
	switch cfg.Kind {
	case BackendBuiltin:
		b = Builtin(model)
	case BackendOpenAI:
		var err error
		if b, err = NewOpenAI(cfg.OpenAI, client); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: backend %q", ErrConfig, cfg.Kind)
	}
	switch cfg.Quality {
	case QualityNoisy:
		b = Noisy(b, cfg.NoiseFraction, model, cfg.Seed)
	case QualityGarbage:
		b = Garbage(cfg.Seed)
	}
	return b, nil
}
