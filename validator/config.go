package validator

import (
	"crypto/ecdsa"
	"fmt"
	"time"
)

// Config is the validator's node configuration. Chain rules come from the
// chain through Chain, never from here.
type Config struct {
	ChainID string
	NetUID  uint16
	// Hotkey signs requests and weight commitments (a key until wallet
	// files land).
	Hotkey *ecdsa.PrivateKey
	// DataDir holds scores.json and weights.json. Required.
	DataDir string

	// Interval between rounds (one challenge to SampleSize miners).
	Interval   time.Duration
	SampleSize int
	// Concurrency bounds the queries in flight.
	Concurrency int
	// QueryTimeout bounds one query, MaxResponseBytes its response body.
	QueryTimeout     time.Duration
	MaxResponseBytes int64
	// Alpha is the weight of a new score in the moving average.
	Alpha float64
	// WeightsEvery is the validator's own cadence: blocks between weight
	// settings, on top of the chain's rate limit.
	WeightsEvery uint64
	// VersionKey is sent with weights.
	VersionKey uint64
	// ActivityMargin: warn when fewer than this many blocks remain before
	// activity_cutoff without a weight update. Zero means a tenth of the
	// cutoff.
	ActivityMargin uint64
	// MetagraphRefresh is how often Run refreshes the metagraph when it is
	// given a Fetch function.
	MetagraphRefresh time.Duration
}

// Default is the production configuration, less the operator's values.
func Default() Config {
	return Config{
		Interval:         12 * time.Second,
		SampleSize:       16,
		Concurrency:      8,
		QueryTimeout:     12 * time.Second,
		MaxResponseBytes: 4 << 20,
		Alpha:            0.1,
		WeightsEvery:     100,
		MetagraphRefresh: 12 * time.Second,
	}
}

// TestConfig is Default with short timeouts and weights every block.
func TestConfig(hotkey *ecdsa.PrivateKey, dataDir string) Config {
	c := Default()
	c.ChainID = "yuma-test"
	c.NetUID = 1
	c.Hotkey = hotkey
	c.DataDir = dataDir
	c.QueryTimeout = 5 * time.Second
	c.WeightsEvery = 0
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
	case c.Interval <= 0 || c.QueryTimeout <= 0 || c.MetagraphRefresh <= 0:
		return bad("intervals and timeouts must be positive")
	case c.SampleSize < 1 || c.Concurrency < 1:
		return bad("sample size %d and concurrency %d must be >= 1", c.SampleSize, c.Concurrency)
	case c.MaxResponseBytes <= 0:
		return bad("max response bytes must be positive")
	case !(c.Alpha > 0 && c.Alpha <= 1):
		return bad("alpha %v outside (0, 1]", c.Alpha)
	}
	return nil
}
