package validator

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/yumachain/yuma/axon/textgen"
)

// Task is the validator side of a subnet task.
type Task interface {
	// Synapse is the miner endpoint the challenges go to.
	Synapse() string
	// Challenge makes one challenge from the validator's randomness r.
	Challenge(r *rand.Rand) (Challenge, error)
}

// Challenge is one request body and how to score the answers to it.
type Challenge struct {
	Body []byte
	// Score rates a verified 200 response body in [0, 1]; a body that
	// does not decode scores 0. Values outside [0, 1] are clamped.
	Score func(response []byte) float64
}

// TextGenTask is the built-in task: continue a prompt drawn from the
// held-out corpus; the score is the normalized token edit similarity
// (textgen.Score) of the answer to the validator's own model's
// continuation, which a miner running the same model reproduces exactly.
type TextGenTask struct {
	Model     *textgen.Model
	MaxTokens int
}

// NewTextGenTask is the built-in task over the built-in model, asking for
// 32 tokens.
func NewTextGenTask() *TextGenTask { return &TextGenTask{Model: textgen.Builtin(), MaxTokens: 32} }

func (t *TextGenTask) Synapse() string { return textgen.Synapse }

func (t *TextGenTask) Challenge(r *rand.Rand) (Challenge, error) {
	prompt := textgen.Prompt(r)
	ref := t.Model.Generate(prompt, t.MaxTokens)
	body, err := json.Marshal(textgen.Request{Prompt: prompt, MaxTokens: t.MaxTokens})
	if err != nil {
		return Challenge{}, fmt.Errorf("encode challenge: %w", err)
	}
	return Challenge{Body: body, Score: func(b []byte) float64 {
		resp, err := textgen.DecodeResponse(b)
		if err != nil {
			return 0
		}
		return textgen.Score(resp.Text, ref)
	}}, nil
}
