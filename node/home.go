package node

import (
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	cmtcrypto "github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/crypto/secp256k1eth"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/lp2p"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/internal/atomicfile"
	"github.com/yumachain/yuma/types"
)

// Identity is what other nodes and the genesis need to know of a node.
type Identity struct {
	Moniker string `json:"moniker"`
	// PeerID is the libp2p peer ID derived from the node key.
	PeerID string `json:"peer_id"`
	// P2P is the host:port the node listens on.
	P2P string `json:"p2p"`
	// ValidatorPubKey is the compressed secp256k1 authority key, hex.
	ValidatorPubKey string `json:"validator_pub_key"`
	// ValidatorAddress is the authority key's account-style address.
	ValidatorAddress types.Address `json:"validator_address"`
}

// ErrHomeExists is returned when initializing a home that already has a
// node configuration.
var ErrHomeExists = errors.New("node home already initialized")

// InitHome creates a node home: yuma.toml, the libp2p node key and the
// secp256k1 authority key. It refuses to touch an existing home.
func InitHome(home string, cfg Config) (Identity, error) {
	if _, err := os.Stat(filepath.Join(home, ConfigFile)); err == nil {
		return Identity{}, fmt.Errorf("%w: %s (use another --home, or remove it to start over)", ErrHomeExists, home)
	}
	for _, d := range []string{"config", "data"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o700); err != nil {
			return Identity{}, fmt.Errorf("create node home: %w", err)
		}
	}
	if err := SaveConfig(home, cfg); err != nil {
		return Identity{}, err
	}
	nk := &p2p.NodeKey{PrivKey: ed25519.GenPrivKey()}
	if err := nk.SaveAs(filepath.Join(home, NodeKeyFile)); err != nil {
		return Identity{}, fmt.Errorf("write node key: %w", err)
	}
	pv := privval.NewFilePV(secp256k1eth.GenPrivKey(), filepath.Join(home, ValidatorKey), filepath.Join(home, ValidatorState))
	pv.Save()
	for _, f := range []string{NodeKeyFile, ValidatorKey, ValidatorState} {
		if err := os.Chmod(filepath.Join(home, f), 0o600); err != nil {
			return Identity{}, err
		}
	}
	return ReadIdentity(home)
}

// ReadIdentity loads a home's public identity.
func ReadIdentity(home string) (Identity, error) {
	cfg, err := LoadConfig(home)
	if err != nil {
		return Identity{}, err
	}
	nk, err := p2p.LoadNodeKey(filepath.Join(home, NodeKeyFile))
	if err != nil {
		return Identity{}, fmt.Errorf("load node key: %w", err)
	}
	pid, err := peerIDOf(nk.PrivKey)
	if err != nil {
		return Identity{}, err
	}
	pv, err := loadValidatorKey(home)
	if err != nil {
		return Identity{}, err
	}
	pub := pv.PubKey().Bytes()
	ecpub, err := crypto.DecompressPubkey(pub)
	if err != nil {
		return Identity{}, fmt.Errorf("authority key: %w", err)
	}
	return Identity{
		Moniker: cfg.Moniker, PeerID: pid, P2P: cfg.P2P.Listen,
		ValidatorPubKey: hex.EncodeToString(pub), ValidatorAddress: crypto.PubkeyToAddress(*ecpub),
	}, nil
}

func loadValidatorKey(home string) (cmtcrypto.PrivKey, error) {
	pv, err := loadFilePV(home)
	if err != nil {
		return nil, err
	}
	return pv.Key.PrivKey, nil
}

// loadFilePV loads the authority key and its last-sign state. It checks both
// files itself first, because CometBFT's loader exits the process on a
// corrupt file instead of returning an error.
func loadFilePV(home string) (*privval.FilePV, error) {
	keyPath, statePath := filepath.Join(home, ValidatorKey), filepath.Join(home, ValidatorState)
	b, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("read authority key: %w", err)
	}
	var key privval.FilePVKey
	if err := cmtjson.Unmarshal(b, &key); err != nil || key.PrivKey == nil {
		return nil, fmt.Errorf("authority key %s is corrupt (%v): restore it from backup", keyPath, err)
	}
	if b, err = os.ReadFile(statePath); err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("read authority sign state: %w", err)
		}
		// A missing sign state is recreated empty, as on a fresh node.
		pv := privval.NewFilePV(key.PrivKey, keyPath, statePath)
		pv.LastSignState.Save()
		return pv, nil
	}
	var st privval.FilePVLastSignState
	if err := cmtjson.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("authority sign state %s is corrupt (%v): do not delete it while the chain runs; it prevents double signing", statePath, err)
	}
	return privval.LoadFilePV(keyPath, statePath), nil
}

func peerIDOf(k cmtcrypto.PrivKey) (string, error) {
	lk, err := lp2p.PrivateKeyFromCosmosKey(k)
	if err != nil {
		return "", fmt.Errorf("node key: %w", err)
	}
	id, err := peer.IDFromPrivateKey(lk)
	if err != nil {
		return "", fmt.Errorf("node key: %w", err)
	}
	return id.String(), nil
}

// WriteGenesis writes home's genesis.json: the BFT engine's genesis with the
// app genesis g embedded as app_state. Authorities become the initial
// validator set, with secp256k1 (Ethereum-style) keys.
func WriteGenesis(home string, g *chain.Genesis) error {
	doc, err := GenesisDoc(g)
	if err != nil {
		return err
	}
	return doc.SaveAs(filepath.Join(home, GenesisFile))
}

// GenesisDoc builds the BFT genesis document for g.
func GenesisDoc(g *chain.Genesis) (*cmttypes.GenesisDoc, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	t, err := time.Parse(time.RFC3339Nano, g.GenesisTime)
	if err != nil {
		return nil, fmt.Errorf("%w: genesis_time %q is not RFC 3339", chain.ErrBadGenesis, g.GenesisTime)
	}
	app, err := json.Marshal(g)
	if err != nil {
		return nil, err
	}
	params := cmttypes.DefaultConsensusParams()
	params.Validator.PubKeyTypes = []string{secp256k1eth.KeyType}
	params.Block.MaxBytes = 8 << 20
	doc := &cmttypes.GenesisDoc{
		GenesisTime: t, ChainID: g.ChainID, InitialHeight: 1, ConsensusParams: params, AppState: app,
	}
	for _, a := range g.Authorities {
		pub, err := a.PubKeyBytes()
		if err != nil {
			return nil, err
		}
		pk := secp256k1eth.PubKey(pub)
		doc.Validators = append(doc.Validators, cmttypes.GenesisValidator{
			Address: pk.Address(), PubKey: pk, Power: a.Power, Name: a.Name,
		})
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("%w: %v", chain.ErrBadGenesis, err)
	}
	return doc, nil
}

// LoadGenesis reads home's genesis.json and returns both documents.
func LoadGenesis(home string) (*cmttypes.GenesisDoc, *chain.Genesis, error) {
	path := filepath.Join(home, GenesisFile)
	doc, err := cmttypes.GenesisDocFromFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("no genesis at %s: copy the chain's genesis.json there or create one with `yuma testnet init`", path)
		}
		return nil, nil, fmt.Errorf("genesis %s: %w", path, err)
	}
	g, err := genesisFromAppState(doc.AppState)
	if err != nil {
		return nil, nil, fmt.Errorf("genesis %s: %w", path, err)
	}
	if g.ChainID != doc.ChainID {
		return nil, nil, fmt.Errorf("genesis %s: chain_id %q but app_state.chain_id %q", path, doc.ChainID, g.ChainID)
	}
	return doc, g, nil
}

// FreePorts reserves n distinct free loopback ports for TCP (RPC, metrics)
// or UDP (QUIC). The ports are released before returning, so another
// process could take one; callers retry on a bind error.
func FreePorts(network string, n int) ([]int, error) {
	var ports []int
	var closers []func() error
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	for len(ports) < n {
		switch network {
		case "udp":
			pc, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				return nil, err
			}
			closers = append(closers, pc.Close)
			ports = append(ports, pc.LocalAddr().(*net.UDPAddr).Port)
		default:
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return nil, err
			}
			closers = append(closers, l.Close)
			ports = append(ports, l.Addr().(*net.TCPAddr).Port)
		}
	}
	return ports, nil
}

// TestnetOptions describes a local multi-node network.
type TestnetOptions struct {
	Nodes       int
	ChainID     string
	GenesisTime time.Time
	Params      chain.Params
	Admin       types.Address
	Accounts    []chain.GenesisAccount
	Modules     map[string]json.RawMessage
	// Configure adjusts node i's config before it is written.
	Configure func(i int, c *Config)
}

// TestnetNode is one node of a generated testnet.
type TestnetNode struct {
	Home string `json:"home"`
	Identity
	RPC     string `json:"rpc"`
	Metrics string `json:"metrics,omitempty"`
}

// InitTestnet writes opts.Nodes node homes under dir (node0, node1, ...)
// with one shared genesis, every node an authority of equal power, all
// listening on free loopback ports and bootstrapping from each other.
func InitTestnet(dir string, opts TestnetOptions) ([]TestnetNode, *chain.Genesis, error) {
	if opts.Nodes < 1 || opts.Nodes > 64 {
		return nil, nil, fmt.Errorf("testnet: nodes must be 1..64, got %d", opts.Nodes)
	}
	udp, err := FreePorts("udp", opts.Nodes)
	if err != nil {
		return nil, nil, err
	}
	tcp, err := FreePorts("tcp", 2*opts.Nodes)
	if err != nil {
		return nil, nil, err
	}
	nodes := make([]TestnetNode, opts.Nodes)
	for i := range nodes {
		cfg := DefaultConfig()
		cfg.Moniker = "node" + strconv.Itoa(i)
		cfg.P2P.Listen = fmt.Sprintf("127.0.0.1:%d", udp[i])
		cfg.RPC.Listen = fmt.Sprintf("127.0.0.1:%d", tcp[2*i])
		cfg.Metrics.Listen = fmt.Sprintf("127.0.0.1:%d", tcp[2*i+1])
		if opts.Configure != nil {
			opts.Configure(i, &cfg)
		}
		home := filepath.Join(dir, cfg.Moniker)
		id, err := InitHome(home, cfg)
		if err != nil {
			return nil, nil, err
		}
		nodes[i] = TestnetNode{Home: home, Identity: id, RPC: cfg.RPC.Listen, Metrics: cfg.Metrics.Listen}
	}
	gt := opts.GenesisTime
	if gt.IsZero() {
		gt = time.Now().UTC().Truncate(time.Second)
	}
	g := &chain.Genesis{
		ChainID: opts.ChainID, GenesisTime: gt.Format(time.RFC3339), Params: opts.Params,
		Admin: opts.Admin, Accounts: opts.Accounts, Modules: opts.Modules,
	}
	for _, n := range nodes {
		g.Authorities = append(g.Authorities, chain.Authority{Name: n.Moniker, PubKey: n.ValidatorPubKey, Power: 10})
	}
	for i, n := range nodes {
		if err := WriteGenesis(n.Home, g); err != nil {
			return nil, nil, err
		}
		cfg, err := LoadConfig(n.Home)
		if err != nil {
			return nil, nil, err
		}
		cfg.P2P.Bootstrap = nil
		for j, o := range nodes {
			if j != i {
				cfg.P2P.Bootstrap = append(cfg.P2P.Bootstrap, Peer{ID: o.PeerID, Host: o.P2P})
			}
		}
		if err := SaveConfig(n.Home, cfg); err != nil {
			return nil, nil, err
		}
	}
	return nodes, g, nil
}

// WriteKeyFile writes a raw secp256k1 private key as hex to path with mode
// 0600, atomically (an existing file is replaced whole and gets mode 0600
// too), in the minimal key format of `yuma tx transfer --key` (wallets use
// encrypted keystores).
func WriteKeyFile(path string, key *ecdsa.PrivateKey) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, []byte(hex.EncodeToString(crypto.FromECDSA(key))+"\n"), 0o600)
}
