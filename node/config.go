package node

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is a node's local configuration (yuma.toml in the home's config
// directory). It holds only node-local settings: chain rules live in the
// genesis, never here.
type Config struct {
	Moniker   string          `toml:"moniker"`
	RPC       RPCConfig       `toml:"rpc"`
	Metrics   MetricsConfig   `toml:"metrics"`
	P2P       P2PConfig       `toml:"p2p"`
	Consensus ConsensusConfig `toml:"consensus"`
	Mempool   MempoolConfig   `toml:"mempool"`
	Log       LogConfig       `toml:"log"`
}

// RPCConfig configures the JSON-RPC server.
type RPCConfig struct {
	// Listen is host:port; empty disables the server.
	Listen string `toml:"listen"`
	// AllowRemote permits a non-loopback Listen address.
	AllowRemote bool     `toml:"allow_remote"`
	CORSOrigins []string `toml:"cors_origins"`
}

// MetricsConfig configures the Prometheus endpoint (/metrics).
type MetricsConfig struct {
	Listen      string `toml:"listen"` // empty disables
	AllowRemote bool   `toml:"allow_remote"`
}

// P2PConfig configures the libp2p transport.
type P2PConfig struct {
	// Listen is the host:port the libp2p host listens on (QUIC over UDP).
	Listen string `toml:"listen"`
	// External is the address advertised to peers, if different.
	External string `toml:"external"`
	// Bootstrap peers to connect to at start and keep connected.
	Bootstrap []Peer `toml:"bootstrap"`
	// PeerReset resets a peer whose libp2p connection closes, so a peer
	// that restarts resyncs at once (docs/adr/0001-block-engine.md). Only
	// turn it off to reproduce the upstream defect.
	PeerReset bool `toml:"peer_reset"`
}

// Peer is a bootstrap peer: its libp2p peer ID and host:port.
type Peer struct {
	ID   string `toml:"id"`
	Host string `toml:"host"`
}

// ConsensusConfig holds the block engine's local timing.
type ConsensusConfig struct {
	// BlockTime is the pause after a block commits before the next height
	// starts (CometBFT's timeout_commit); blocks arrive about this often.
	BlockTime Duration `toml:"block_time"`
	// TimeoutPropose bounds the wait for a proposal before prevoting nil.
	TimeoutPropose Duration `toml:"timeout_propose"`
	// EmptyBlocks makes blocks even without transactions (needed for
	// per-block emission and epochs).
	EmptyBlocks bool `toml:"empty_blocks"`
}

// MempoolConfig bounds the mempool.
type MempoolConfig struct {
	Size      int `toml:"size"`       // max transactions
	MaxBytes  int `toml:"max_bytes"`  // max total bytes
	CacheSize int `toml:"cache_size"` // seen-tx cache entries
}

// LogConfig configures logging.
type LogConfig struct {
	Level  string `toml:"level"`  // debug, info, warn, error
	Format string `toml:"format"` // text or json
	// EngineLevel is the level of the block engine's own logs, which are
	// chatty at info.
	EngineLevel string `toml:"engine_level"`
}

// Duration is a time.Duration written as text ("1s", "250ms") in TOML.
type Duration struct{ time.Duration }

func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("bad duration %q (use e.g. 1s or 250ms)", b)
	}
	d.Duration = v
	return nil
}

// DefaultConfig returns the settings of a single local node.
func DefaultConfig() Config {
	return Config{
		Moniker: "yuma-node",
		RPC:     RPCConfig{Listen: "127.0.0.1:8545"},
		Metrics: MetricsConfig{Listen: "127.0.0.1:9615"},
		P2P:     P2PConfig{Listen: "127.0.0.1:26656", PeerReset: true},
		Consensus: ConsensusConfig{
			BlockTime:      Duration{time.Second},
			TimeoutPropose: Duration{3 * time.Second},
			EmptyBlocks:    true,
		},
		Mempool: MempoolConfig{Size: 20000, MaxBytes: 256 << 20, CacheSize: 50000},
		Log:     LogConfig{Level: "info", Format: "text", EngineLevel: "error"},
	}
}

// TestConfig returns settings for tests: fast blocks, no metrics server,
// random loopback ports are the caller's job.
func TestConfig() Config {
	c := DefaultConfig()
	c.Consensus.BlockTime = Duration{200 * time.Millisecond}
	c.Consensus.TimeoutPropose = Duration{time.Second}
	c.Metrics.Listen = ""
	c.Log.Level = "warn"
	return c
}

// ErrBadConfig wraps every configuration validation error.
var ErrBadConfig = errors.New("invalid node config")

// Validate checks the configuration, including the secure-by-default rule
// that RPC and metrics listen on loopback unless explicitly allowed.
func (c *Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadConfig, fmt.Sprintf(format, args...))
	}
	if c.Moniker == "" {
		return bad("moniker is empty")
	}
	if err := checkListen("rpc.listen", c.RPC.Listen, c.RPC.AllowRemote); err != nil {
		return bad("%v", err)
	}
	if err := checkListen("metrics.listen", c.Metrics.Listen, c.Metrics.AllowRemote); err != nil {
		return bad("%v", err)
	}
	if c.P2P.Listen == "" {
		return bad("p2p.listen is empty")
	}
	if _, _, err := net.SplitHostPort(c.P2P.Listen); err != nil {
		return bad("p2p.listen %q: %v", c.P2P.Listen, err)
	}
	for _, p := range c.P2P.Bootstrap {
		if p.ID == "" || p.Host == "" {
			return bad("bootstrap peer needs both id and host: %+v", p)
		}
		if _, _, err := net.SplitHostPort(p.Host); err != nil {
			return bad("bootstrap peer host %q: %v", p.Host, err)
		}
	}
	if c.Consensus.BlockTime.Duration < 10*time.Millisecond || c.Consensus.BlockTime.Duration > time.Hour {
		return bad("consensus.block_time %s out of range [10ms, 1h]", c.Consensus.BlockTime)
	}
	if c.Consensus.TimeoutPropose.Duration < 100*time.Millisecond {
		return bad("consensus.timeout_propose %s below 100ms", c.Consensus.TimeoutPropose)
	}
	if c.Mempool.Size <= 0 || c.Mempool.MaxBytes <= 0 || c.Mempool.CacheSize < 0 {
		return bad("mempool sizes must be positive")
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level %q (use debug, info, warn or error)", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return bad("log.format %q (use text or json)", c.Log.Format)
	}
	return nil
}

func checkListen(name, addr string, allowRemote bool) error {
	if addr == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s %q: %v", name, addr, err)
	}
	if port == "" {
		return fmt.Errorf("%s %q has no port", name, addr)
	}
	if allowRemote {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s %q is not a loopback address; set allow_remote = true to expose it", name, addr)
	}
	return nil
}

// Home paths.
const (
	ConfigFile     = "config/yuma.toml"
	GenesisFile    = "config/genesis.json"
	NodeKeyFile    = "config/node_key.json"
	ValidatorKey   = "config/priv_validator_key.json"
	ValidatorState = "data/priv_validator_state.json"
	AppDBDir       = "data/app.db"
)

// LoadConfig reads home's yuma.toml. Unknown keys are an error.
func LoadConfig(home string) (Config, error) {
	c := DefaultConfig()
	path := filepath.Join(home, ConfigFile)
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return c, fmt.Errorf("no node config at %s: run `yuma node init --home %s` first", path, home)
		}
		return c, fmt.Errorf("%w: %s: %v", ErrBadConfig, path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return c, fmt.Errorf("%w: %s: unknown key %q", ErrBadConfig, path, und[0].String())
	}
	return c, c.Validate()
}

// SaveConfig writes c to home's yuma.toml.
func SaveConfig(home string, c Config) error {
	if err := c.Validate(); err != nil {
		return err
	}
	path := filepath.Join(home, ConfigFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path+".tmp", os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := toml.NewEncoder(f).Encode(c); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}
