package localnet

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/yumachain/yuma/internal/atomicfile"
	"github.com/yumachain/yuma/types"
)

// Home layout (relative to the localnet home).
const (
	ManifestFile = "localnet.json" // the network's shape, written last at creation
	RunFile      = "run.json"      // pids of the running supervisor and children
	LockFile     = "localnet.lock" // held while a localnet runs on the home
	PasswordFile = "dev-password"  // the coldkeys' password (DEV ONLY)
	NetDir       = "net"           // node homes: net/node0, net/node1, ...
	WalletsDir   = "wallets"       // the wallet store (owner, miner0.., validator0..)
	MinersDir    = "miners"        // miner data folders
	ValidatorDir = "validators"    // validator data folders
	LogsDir      = "logs"          // one log per process
)

// DevPassword encrypts every coldkey of a localnet. It is written to
// HOME/dev-password. Never use these keys anywhere else.
const DevPassword = "yuma-localnet-dev-password"

// ManifestVersion is the manifest format.
const ManifestVersion = 1

// Manifest is HOME/localnet.json: what a resumed network needs to know.
// Paths are relative to the home, so a home can be moved.
type Manifest struct {
	Version    int          `json:"version"`
	ChainID    string       `json:"chain_id"`
	Created    string       `json:"created"`
	Tempo      uint16       `json:"tempo"`
	Nodes      []NodeInfo   `json:"nodes"`
	Owner      NeuronInfo   `json:"owner"`
	Miners     []NeuronInfo `json:"miners"`
	Validators []NeuronInfo `json:"validators"`
	// GenesisIssuance is the sum of the genesis balances, rao.
	GenesisIssuance uint64 `json:"genesis_issuance"`
}

// NodeInfo is one node of the manifest.
type NodeInfo struct {
	Name    string `json:"name"`
	Home    string `json:"home"` // relative to the localnet home
	RPC     string `json:"rpc"`  // host:port
	Metrics string `json:"metrics"`
	P2P     string `json:"p2p"`
	PeerID  string `json:"peer_id"`
}

// NeuronInfo is a wallet of the manifest: the owner, a miner or a
// validator.
type NeuronInfo struct {
	Name    string        `json:"name"` // also the wallet name
	Role    string        `json:"role"` // owner, miner, validator
	Hotkey  string        `json:"hotkey_name"`
	Coldkey types.Address `json:"coldkey"`
	HotAddr types.Address `json:"hotkey"`
	// Quality of a miner's built-in model.
	Quality string `json:"quality,omitempty"`
	// Axon is a miner's host:port.
	Axon string `json:"axon,omitempty"`
	// Metrics is the host:port of the process's /metrics, if any.
	Metrics string `json:"metrics,omitempty"`
	// Stake is what setup stakes behind a validator's hotkey, rao.
	Stake uint64 `json:"stake,omitempty"`
}

// Roles.
const (
	RoleOwner     = "owner"
	RoleMiner     = "miner"
	RoleValidator = "validator"
)

// neurons lists every wallet: owner, miners, validators.
func (m *Manifest) neurons() []NeuronInfo {
	out := []NeuronInfo{m.Owner}
	out = append(out, m.Miners...)
	return append(out, m.Validators...)
}

// ReadManifest loads HOME/localnet.json; ok is false when there is none.
func ReadManifest(home string) (*Manifest, bool, error) {
	b, err := os.ReadFile(filepath.Join(home, ManifestFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrHome, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, false, fmt.Errorf("%w: %s is corrupt (%v): remove the home to start over", ErrHome, filepath.Join(home, ManifestFile), err)
	}
	if m.Version != ManifestVersion {
		return nil, false, fmt.Errorf("%w: %s has version %d, this yuma reads %d: remove the home to start over", ErrHome, filepath.Join(home, ManifestFile), m.Version, ManifestVersion)
	}
	if len(m.Nodes) == 0 || len(m.Miners) == 0 || len(m.Validators) == 0 {
		return nil, false, fmt.Errorf("%w: %s lists no nodes, miners or validators", ErrHome, filepath.Join(home, ManifestFile))
	}
	return &m, true, nil
}

// writeJSONAtomic writes v as indented JSON to path (mode 0644) through a
// synced temporary file of its own, a rename and a sync of the folder.
func writeJSONAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(b, '\n'), 0o644)
}

// prepareHome makes sure home exists and is writable. It returns whether
// the folder was empty (or absent), which decides if a failed creation may
// remove what it wrote.
func prepareHome(home string) (empty bool, err error) {
	if st, err := os.Stat(home); err == nil && !st.IsDir() {
		return false, fmt.Errorf("%w: %s is not a folder (choose another --home)", ErrHome, home)
	}
	if err := os.MkdirAll(home, 0o755); err != nil {
		return false, fmt.Errorf("%w: cannot create %s: %v (choose another --home)", ErrHome, home, unwrapPath(err))
	}
	st, err := os.Stat(home)
	if err != nil {
		return false, fmt.Errorf("%w: %s: %v", ErrHome, home, unwrapPath(err))
	}
	if !st.IsDir() {
		return false, fmt.Errorf("%w: %s is not a folder (choose another --home)", ErrHome, home)
	}
	probe, err := os.CreateTemp(home, ".write-probe-")
	if err != nil {
		return false, fmt.Errorf("%w: %s is not writable: %v (choose another --home, or fix its permissions)", ErrHome, home, unwrapPath(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	ents, err := os.ReadDir(home)
	if err != nil {
		return false, fmt.Errorf("%w: %s: %v", ErrHome, home, unwrapPath(err))
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".write-probe-") && e.Name() != LockFile {
			return false, nil
		}
	}
	return true, nil
}

// unwrapPath drops the path of a *PathError, which the caller's message
// already names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// rel is path relative to home when it is inside it.
func rel(home, path string) string {
	if r, err := filepath.Rel(home, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}
