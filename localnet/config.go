package localnet

import (
	"fmt"
	"strings"
	"time"
)

// Miner qualities: how much a built-in miner degrades its answers on
// purpose, so the validators' scores, and the incentive Yuma gives, differ
// visibly (see the miner package's Noisy and Garbage backends).
const (
	QualityGood    = "good"    // the built-in model as is
	QualityNoisy   = "noisy"   // 30% of the tokens replaced by random words
	QualityGarbage = "garbage" // random characters
)

// Config is one local network: its shape (fixed when the home is created),
// its timing and its run options. Chain rules derived from it (tempo,
// registration limits) are written into the genesis, never into node
// config.
type Config struct {
	// Home keeps every file of the network. Empty means a temporary folder
	// that is removed when the network stops.
	Home string
	// Nodes is the number of authority nodes (each a process).
	Nodes int
	// Miners and Validators are the subnet's neurons (each a process).
	Miners     int
	Validators int
	// MinerQualities gives miner i the quality MinerQualities[i % len].
	MinerQualities []string
	// BlockTime is the target block interval (node config; may change on a
	// resumed network).
	BlockTime time.Duration
	// Tempo is the subnet's epoch length in blocks (genesis: fixed when the
	// home is created).
	Tempo uint16
	// ChainID of a new network.
	ChainID string
	// RPCPortBase: node i serves JSON-RPC on 127.0.0.1:RPCPortBase+i. Zero
	// picks free ports. Other ports (p2p, metrics, axons) are always free
	// ports chosen when the home is created.
	RPCPortBase int
	// ExitAfter stops the network after this long (0: run until
	// interrupted).
	ExitAfter time.Duration
	// StartTimeout bounds the wait for the first finalized block and for
	// each setup transaction.
	StartTimeout time.Duration
	// StopTimeout bounds each child's clean exit before SIGKILL.
	StopTimeout time.Duration
}

// Default is `yuma localnet` without flags.
func Default() Config {
	return Config{
		Nodes:          4,
		Miners:         3,
		Validators:     2,
		MinerQualities: []string{QualityGood, QualityNoisy, QualityGarbage},
		BlockTime:      time.Second,
		Tempo:          10,
		ChainID:        "yuma-localnet",
		StartTimeout:   90 * time.Second,
		StopTimeout:    10 * time.Second,
	}
}

// TestConfig is Default with fast blocks and short timeouts.
func TestConfig(home string) Config {
	c := Default()
	c.Home = home
	c.BlockTime = 300 * time.Millisecond
	c.StopTimeout = 5 * time.Second
	return c
}

// Limits of Validate.
const (
	MaxNodes      = 16
	MaxMiners     = 32
	MaxValidators = 16
)

// Validate reports the first invalid field, naming the flag that sets it.
func (c *Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	switch {
	case c.Nodes < 1 || c.Nodes > MaxNodes:
		return bad("--nodes %d: want 1..%d", c.Nodes, MaxNodes)
	case c.Miners < 1 || c.Miners > MaxMiners:
		return bad("--miners %d: want 1..%d", c.Miners, MaxMiners)
	case c.Validators < 1 || c.Validators > MaxValidators:
		return bad("--validators %d: want 1..%d", c.Validators, MaxValidators)
	case c.BlockTime < 50*time.Millisecond || c.BlockTime > time.Minute:
		return bad("--block-time %s: want 50ms..1m", c.BlockTime)
	case c.Tempo < 2:
		return bad("--tempo %d: want 2..65535 blocks", c.Tempo)
	case c.ChainID == "" || len(c.ChainID) > 64:
		return bad("--chain-id %q: want 1..64 characters", c.ChainID)
	case c.RPCPortBase != 0 && (c.RPCPortBase < 1024 || c.RPCPortBase+c.Nodes-1 > 65535):
		return bad("--rpc-port-base %d: want 0 (free ports) or 1024..%d", c.RPCPortBase, 65535-c.Nodes+1)
	case c.ExitAfter < 0:
		return bad("--exit-after %s: want a positive duration (or 0 to run until Ctrl-C)", c.ExitAfter)
	case c.StartTimeout <= 0 || c.StopTimeout <= 0:
		return bad("start and stop timeouts must be positive")
	case len(c.MinerQualities) == 0:
		return bad("--miner-quality: give at least one of good, noisy, garbage")
	}
	for _, q := range c.MinerQualities {
		switch q {
		case QualityGood, QualityNoisy, QualityGarbage:
		default:
			return bad("--miner-quality %q: want good, noisy or garbage (comma-separated, one per miner, cycled)", q)
		}
	}
	return nil
}

// quality is miner i's quality.
func (c *Config) quality(i int) string { return c.MinerQualities[i%len(c.MinerQualities)] }

// ParseQualities splits a comma-separated list of qualities.
func ParseQualities(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(strings.ToLower(f)); f != "" {
			out = append(out, f)
		}
	}
	return out
}
