package miner

import (
	"crypto/ecdsa"
	"fmt"
	"net/url"
	"time"
)

// Config is the miner's node configuration. Chain rules (who is
// registered, stake, permits) come from the chain through Metagraph, never
// from here.
type Config struct {
	ChainID string
	NetUID  uint16
	// Hotkey signs responses; requests must target its address. (Taken
	// as a key until wallet files land.)
	Hotkey *ecdsa.PrivateKey
	// Listen is the TCP address Run serves on.
	Listen string
	// DataDir holds nonces.log. Required.
	DataDir string

	// MaxClockSkew bounds |now - request timestamp|.
	MaxClockSkew time.Duration
	// MaxRequestBytes bounds a request body; MaxResponseBytes a response
	// body a handler produces.
	MaxRequestBytes  int64
	MaxResponseBytes int
	// MaxHeaderBytes bounds the request line and headers.
	MaxHeaderBytes int
	// RequestTimeout bounds queueing plus handling of one request.
	RequestTimeout time.Duration
	// ReadTimeout bounds reading a whole request, WriteTimeout writing
	// the response, IdleTimeout a kept-alive connection between requests.
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration

	// MaxConcurrent handlers run at once; up to MaxQueue more requests
	// wait, served highest stake first. Beyond that the lowest-stake
	// request is answered 503.
	MaxConcurrent int
	MaxQueue      int
	// RateLimit is the sustained requests per second allowed per caller,
	// RateBurst the bucket size.
	RateLimit float64
	RateBurst int

	// MinStake (rao) admits registered callers without a validator permit
	// if they have at least this stake. Zero admits permit holders only.
	MinStake uint64

	// MetagraphRefresh is how often Run refreshes the metagraph when it is
	// given a Fetch function.
	MetagraphRefresh time.Duration

	// Backend selects the inference backend of the built-in task when
	// Deps.Handlers is empty.
	Backend BackendConfig
}

// Default is the production configuration, less the values only the
// operator knows (ChainID, NetUID, Hotkey, DataDir).
func Default() Config {
	return Config{
		Listen:           "0.0.0.0:8091",
		MaxClockSkew:     30 * time.Second,
		MaxRequestBytes:  1 << 20,
		MaxResponseBytes: 4 << 20,
		MaxHeaderBytes:   16 << 10,
		RequestTimeout:   12 * time.Second,
		ReadTimeout:      15 * time.Second,
		WriteTimeout:     30 * time.Second,
		IdleTimeout:      90 * time.Second,
		MaxConcurrent:    8,
		MaxQueue:         64,
		RateLimit:        10,
		RateBurst:        20,
		MinStake:         1_000 * 1_000_000_000, // 1000 TAO
		MetagraphRefresh: 12 * time.Second,
		Backend:          DefaultBackend(),
	}
}

// TestConfig is Default on a loopback ephemeral port.
func TestConfig(hotkey *ecdsa.PrivateKey, dataDir string) Config {
	c := Default()
	c.ChainID = "yuma-test"
	c.NetUID = 1
	c.Hotkey = hotkey
	c.DataDir = dataDir
	c.Listen = "127.0.0.1:0"
	c.RequestTimeout = 5 * time.Second
	return c
}

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	switch {
	case c.ChainID == "":
		return bad("chain id is empty")
	case c.Hotkey == nil:
		return bad("no hotkey")
	case c.DataDir == "":
		return bad("no data dir")
	case c.MaxClockSkew <= 0:
		return bad("max clock skew %v must be positive", c.MaxClockSkew)
	case c.MaxRequestBytes <= 0 || c.MaxResponseBytes <= 0 || c.MaxHeaderBytes <= 0:
		return bad("size limits must be positive")
	case c.RequestTimeout <= 0 || c.ReadTimeout <= 0 || c.WriteTimeout <= 0 || c.IdleTimeout <= 0:
		return bad("timeouts must be positive")
	case c.MaxConcurrent < 1 || c.MaxQueue < 0:
		return bad("max concurrent %d must be >= 1 and max queue %d >= 0", c.MaxConcurrent, c.MaxQueue)
	case c.RateLimit <= 0 || c.RateBurst < 1:
		return bad("rate limit %v/s burst %d must be positive", c.RateLimit, c.RateBurst)
	case c.MetagraphRefresh <= 0:
		return bad("metagraph refresh must be positive")
	}
	return c.Backend.Validate()
}

// Backend kinds and qualities.
const (
	BackendBuiltin = "builtin"
	BackendOpenAI  = "openai"

	QualityGood    = "good"
	QualityNoisy   = "noisy"
	QualityGarbage = "garbage"
)

// BackendConfig selects and tunes the inference backend.
type BackendConfig struct {
	Kind string // BackendBuiltin or BackendOpenAI
	// Quality degrades the backend's output on purpose, for tests and
	// local networks: good (as is), noisy (NoiseFraction of the tokens
	// replaced by random words), garbage (random characters).
	Quality       string
	NoiseFraction float64
	Seed          uint64
	OpenAI        OpenAIConfig
}

// DefaultBackend is the built-in model at full quality.
func DefaultBackend() BackendConfig {
	return BackendConfig{Kind: BackendBuiltin, Quality: QualityGood, NoiseFraction: 0.3, OpenAI: DefaultOpenAI()}
}

// Validate reports the first invalid field.
func (c *BackendConfig) Validate() error {
	switch c.Kind {
	case BackendBuiltin:
	case BackendOpenAI:
		if err := c.OpenAI.Validate(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: backend %q (want %s or %s)", ErrConfig, c.Kind, BackendBuiltin, BackendOpenAI)
	}
	switch c.Quality {
	case QualityGood, QualityGarbage:
	case QualityNoisy:
		if !(c.NoiseFraction > 0 && c.NoiseFraction <= 1) {
			return fmt.Errorf("%w: noise fraction %v outside (0, 1]", ErrConfig, c.NoiseFraction)
		}
	default:
		return fmt.Errorf("%w: quality %q (want good, noisy or garbage)", ErrConfig, c.Quality)
	}
	return nil
}

// OpenAIConfig points at an OpenAI-compatible server (vLLM, llama.cpp,
// Ollama...).
type OpenAIConfig struct {
	// URL is the server's base URL; /v1/completions or
	// /v1/chat/completions is appended.
	URL   string
	Model string
	// Chat selects /v1/chat/completions with the prompt as one user
	// message; otherwise /v1/completions.
	Chat bool
	// APIKey, if set, is sent as a bearer token.
	APIKey       string
	Temperature  float64
	Timeout      time.Duration
	MaxBodyBytes int64
}

// DefaultOpenAI has no URL: the operator must give one.
func DefaultOpenAI() OpenAIConfig {
	return OpenAIConfig{Model: "default", Timeout: 10 * time.Second, MaxBodyBytes: 1 << 20}
}

// Validate reports the first invalid field.
func (c *OpenAIConfig) Validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: openai upstream URL %q must be http(s)://host[:port]", ErrConfig, c.URL)
	}
	if c.Timeout <= 0 || c.MaxBodyBytes <= 0 {
		return fmt.Errorf("%w: openai timeout and body limit must be positive", ErrConfig)
	}
	if c.Temperature < 0 || c.Temperature > 2 {
		return fmt.Errorf("%w: temperature %v outside [0, 2]", ErrConfig, c.Temperature)
	}
	return nil
}
