package localnet

import (
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/node"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/wallet"
)

// Genesis balances, TAO.
const (
	ownerFunds     = 10_000
	minerFunds     = 100
	validatorFunds = 30_000
	hotkeyFunds    = 10 // fees of serve_axon and set_weights
	// validatorStake is validator i's stake: 20,000 TAO, then 10,000, ...
	// (different, so dividends differ too).
	validatorStake = 20_000
)

// validatorStakeOf is what setup stakes behind validator i, rao.
func validatorStakeOf(i int) uint64 {
	s := uint64(validatorStake) * chain.RaoPerTAO / uint64(i+1)
	return max(s, 2_000*chain.RaoPerTAO)
}

// SubnetParams are the subnet module's chain rules of a localnet: the
// defaults, with the tempo given, registration open to every neuron at
// once, a short weights rate limit and a low network lock, and validator
// permits for exactly the validators (the stake-weighted top k).
func SubnetParams(tempo uint16, validators int) subnet.Params {
	p := subnet.DefaultParams()
	p.NetworkMinLock = 100 * chain.RaoPerTAO
	p.NetworkRateLimit = 1
	p.AdminFreezeWindow = 1
	h := &p.SubnetDefaults
	h.Tempo = tempo
	h.WeightsRateLimit = 1
	h.MaxRegsPerBlock = 64
	h.TargetRegsPerInterval = 64
	h.MaxAllowedValidators = uint16(validators)
	h.ServingRateLimit = 0
	return p
}

// createNetwork writes a new localnet into home: wallets, node homes with
// one genesis, and last the manifest (its presence marks a complete home).
func createNetwork(home string, cfg *Config) (*Manifest, error) {
	if err := os.WriteFile(filepath.Join(home, PasswordFile), []byte(DevPassword+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrHome, err)
	}
	store := &wallet.Store{Root: filepath.Join(home, WalletsDir), KDF: wallet.LightKDF}
	m := &Manifest{Version: ManifestVersion, ChainID: cfg.ChainID, Created: time.Now().UTC().Format(time.RFC3339), Tempo: cfg.Tempo}

	// Axons, then the metrics of every miner and validator.
	ports, err := node.FreePorts("tcp", 2*cfg.Miners+cfg.Validators)
	if err != nil {
		return nil, err
	}
	var accounts []chain.GenesisAccount
	add := func(name, role string, funds uint64) (NeuronInfo, error) {
		nr, err := newWallet(store, name, role)
		if err != nil {
			return NeuronInfo{}, err
		}
		accounts = append(accounts,
			chain.GenesisAccount{Address: nr.Coldkey, Balance: chain.U64(funds * chain.RaoPerTAO)},
			chain.GenesisAccount{Address: nr.HotAddr, Balance: chain.U64(hotkeyFunds * chain.RaoPerTAO)})
		return nr, nil
	}
	if m.Owner, err = add("owner", RoleOwner, ownerFunds); err != nil {
		return nil, err
	}
	for i := range cfg.Miners {
		nr, err := add(fmt.Sprintf("miner%d", i), RoleMiner, minerFunds)
		if err != nil {
			return nil, err
		}
		nr.Quality = cfg.quality(i)
		nr.Axon = fmt.Sprintf("127.0.0.1:%d", ports[i])
		nr.Metrics = fmt.Sprintf("127.0.0.1:%d", ports[cfg.Miners+i])
		m.Miners = append(m.Miners, nr)
	}
	for i := range cfg.Validators {
		nr, err := add(fmt.Sprintf("validator%d", i), RoleValidator, validatorFunds)
		if err != nil {
			return nil, err
		}
		nr.Stake = validatorStakeOf(i)
		nr.Metrics = fmt.Sprintf("127.0.0.1:%d", ports[2*cfg.Miners+i])
		m.Validators = append(m.Validators, nr)
	}
	for _, a := range accounts {
		m.GenesisIssuance += uint64(a.Balance)
	}

	sp, err := json.Marshal(SubnetParams(cfg.Tempo, cfg.Validators))
	if err != nil {
		return nil, err
	}
	nodes, _, err := node.InitTestnet(filepath.Join(home, NetDir), node.TestnetOptions{
		Nodes: cfg.Nodes, ChainID: cfg.ChainID, Params: chain.Params{MinFee: 1000},
		Admin: m.Owner.Coldkey, Accounts: accounts,
		Modules: map[string]json.RawMessage{subnet.ModuleName: sp},
		Configure: func(i int, c *node.Config) {
			configureNode(c, cfg.BlockTime)
			if cfg.RPCPortBase != 0 {
				c.RPC.Listen = fmt.Sprintf("127.0.0.1:%d", cfg.RPCPortBase+i)
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: write the node homes: %v", ErrHome, err)
	}
	for _, n := range nodes {
		m.Nodes = append(m.Nodes, NodeInfo{Name: n.Moniker, Home: rel(home, n.Home), RPC: n.RPC, Metrics: n.Metrics, P2P: n.P2P, PeerID: n.PeerID})
	}
	if err := writeJSONAtomic(filepath.Join(home, ManifestFile), m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrHome, err)
	}
	return m, nil
}

// configureNode sets a localnet node's timing and logging.
func configureNode(c *node.Config, blockTime time.Duration) {
	c.Consensus.BlockTime = node.Duration{Duration: blockTime}
	c.Consensus.TimeoutPropose = node.Duration{Duration: max(time.Second, 2*blockTime)}
	c.Log.Level = "info"
	c.Log.EngineLevel = "error"
}

// newWallet creates wallet name with an encrypted coldkey (DevPassword,
// light scrypt) and an unencrypted default hotkey.
func newWallet(store *wallet.Store, name, role string) (NeuronInfo, error) {
	nr := NeuronInfo{Name: name, Role: role, Hotkey: wallet.DefaultHotkey}
	for _, r := range []wallet.Role{wallet.Coldkey(name), wallet.Hotkey(name, wallet.DefaultHotkey)} {
		mn, err := wallet.NewMnemonic(12)
		if err != nil {
			return nr, err
		}
		pw := ""
		if r.Hotkey == "" {
			pw = DevPassword
		}
		c, err := store.Create(r, mn, wallet.CreateOptions{Password: pw})
		if err != nil {
			return nr, fmt.Errorf("%w: wallet %s: %v", ErrHome, name, err)
		}
		if r.Hotkey == "" {
			nr.Coldkey = c.Address
		} else {
			nr.HotAddr = c.Address
		}
	}
	return nr, nil
}

// loadKeys opens a neuron's coldkey (DevPassword) and hotkey.
func loadKeys(home string, n NeuronInfo) (cold, hot *ecdsa.PrivateKey, err error) {
	store := &wallet.Store{Root: filepath.Join(home, WalletsDir), KDF: wallet.LightKDF}
	cold, err = store.Load(wallet.Coldkey(n.Name), func(string) (string, error) { return DevPassword, nil })
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrHome, err)
	}
	hot, err = store.Load(wallet.Hotkey(n.Name, n.Hotkey), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrHome, err)
	}
	return cold, hot, nil
}
