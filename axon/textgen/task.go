package textgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
)

// Synapse is the name of the built-in task; requests go to /synapse/textgen.
const Synapse = "textgen"

// Bounds on the task's wire values.
const (
	MaxPromptBytes = 4096
	MaxTokens      = 256 // the most tokens a request may ask for
	MaxTextBytes   = 64 << 10
)

// ErrDecode: the bytes are not a valid request or response of this task.
var ErrDecode = errors.New("textgen: malformed message")

// Request asks for a continuation of Prompt of MaxTokens tokens.
type Request struct {
	Prompt    string `json:"prompt"`
	MaxTokens int    `json:"max_tokens"`
}

// Response is a continuation.
type Response struct {
	Text string `json:"text"`
}

// DecodeRequest parses a request body strictly: one JSON object, no unknown
// fields, no trailing data, bounds checked.
func DecodeRequest(b []byte) (Request, error) {
	var r Request
	if err := decodeStrict(b, &r); err != nil {
		return r, err
	}
	if len(r.Prompt) > MaxPromptBytes {
		return r, fmt.Errorf("%w: prompt of %d bytes, at most %d", ErrDecode, len(r.Prompt), MaxPromptBytes)
	}
	if r.MaxTokens < 1 || r.MaxTokens > MaxTokens {
		return r, fmt.Errorf("%w: max_tokens %d outside 1..%d", ErrDecode, r.MaxTokens, MaxTokens)
	}
	return r, nil
}

// DecodeResponse parses a response body strictly.
func DecodeResponse(b []byte) (Response, error) {
	var r Response
	if err := decodeStrict(b, &r); err != nil {
		return r, err
	}
	if len(r.Text) > MaxTextBytes {
		return r, fmt.Errorf("%w: text of %d bytes, at most %d", ErrDecode, len(r.Text), MaxTextBytes)
	}
	return r, nil
}

func decodeStrict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", ErrDecode, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return fmt.Errorf("%w: trailing data after the object", ErrDecode)
	}
	return nil
}

// Prompt draws a prompt of 8 to 16 tokens from a held-out paragraph.
func Prompt(r *rand.Rand) string {
	held := heldOutTokens()
	p := held[r.IntN(len(held))]
	n := 8 + r.IntN(9)
	start := r.IntN(len(p) - n + 1)
	return Detokenize(p[start : start+n])
}

// heldOutTokens is the tokens of every held-out paragraph of 16 tokens or
// more.
func heldOutTokens() [][]string {
	_, held := builtin()
	var out [][]string
	for _, p := range held {
		if t := Tokenize(p); len(t) >= 16 {
			out = append(out, t)
		}
	}
	return out
}

// Score is the normalized token edit similarity of a continuation to the
// reference: 1 - d/max(len(got), len(ref)), where d is the Levenshtein
// distance over tokens (insert, delete, substitute each cost 1) and got is
// the text's tokens truncated to len(ref). It is 1 for an exact match, 0
// for nothing in common, and 1 when both are empty.
func Score(text string, ref []string) float64 {
	got := Tokenize(text)
	if len(got) > len(ref) {
		got = got[:len(ref)]
	}
	n := max(len(got), len(ref))
	if n == 0 {
		return 1
	}
	return 1 - float64(editDistance(got, ref))/float64(n)
}

func editDistance(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
