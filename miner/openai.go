package miner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// HTTPDoer is the part of *http.Client the upstream backend needs.
type HTTPDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// NewOpenAI is a backend that asks an OpenAI-compatible server: POST
// {URL}/v1/completions, or /v1/chat/completions when cfg.Chat. client nil
// means http.DefaultClient (cfg.Timeout still bounds every call).
func NewOpenAI(cfg OpenAIConfig, client HTTPDoer) (Backend, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if client == nil {
		client = http.DefaultClient
	}
	return &openAI{cfg: cfg, client: client}, nil
}

type openAI struct {
	cfg    OpenAIConfig
	client HTTPDoer
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type completionRequest struct {
	Model       string        `json:"model"`
	Prompt      string        `json:"prompt,omitempty"`
	Messages    []chatMessage `json:"messages,omitempty"`
	MaxTokens   int           `json:"max_tokens"`
	Temperature float64       `json:"temperature"`
	Stream      bool          `json:"stream"`
}

func (o *openAI) Complete(ctx context.Context, prompt string, maxTokens int) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, o.cfg.Timeout)
	defer cancel()
	req := completionRequest{Model: o.cfg.Model, MaxTokens: maxTokens, Temperature: o.cfg.Temperature}
	path := "/v1/completions"
	if o.cfg.Chat {
		path = "/v1/chat/completions"
		req.Messages = []chatMessage{{Role: "user", Content: prompt}}
	} else {
		req.Prompt = prompt
	}
	body, err := json.Marshal(req)
	if err != nil {
		return "", fmt.Errorf("%w: encode: %v", ErrUpstream, err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(o.cfg.URL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUpstream, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	if o.cfg.APIKey != "" {
		hreq.Header.Set("Authorization", "Bearer "+o.cfg.APIKey)
	}
	resp, err := o.client.Do(hreq)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUpstream, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, o.cfg.MaxBodyBytes+1))
	if err != nil {
		return "", fmt.Errorf("%w: read: %v", ErrUpstream, err)
	}
	if int64(len(b)) > o.cfg.MaxBodyBytes {
		return "", fmt.Errorf("%w: response over %d bytes", ErrUpstream, o.cfg.MaxBodyBytes)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: status %d: %.200s", ErrUpstream, resp.StatusCode, b)
	}
	return decodeCompletion(b, o.cfg.Chat)
}

type completionResponse struct {
	Choices []struct {
		Text    string       `json:"text"`
		Message *chatMessage `json:"message"`
	} `json:"choices"`
}

// decodeCompletion extracts the first choice's text from an upstream
// response body. It never panics.
func decodeCompletion(b []byte, chat bool) (string, error) {
	var r completionResponse
	if err := json.Unmarshal(b, &r); err != nil {
		return "", fmt.Errorf("%w: decode: %v", ErrUpstream, err)
	}
	if len(r.Choices) == 0 {
		return "", fmt.Errorf("%w: no choices", ErrUpstream)
	}
	c := r.Choices[0]
	if chat {
		if c.Message == nil {
			return "", fmt.Errorf("%w: chat choice without a message", ErrUpstream)
		}
		return c.Message.Content, nil
	}
	return c.Text, nil
}
