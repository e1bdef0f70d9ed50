package localnet

import (
	"fmt"
	"path/filepath"
	"strconv"
)

// minerArgs are the arguments of miner i's process: `yuma miner run` with
// the built-in model at the miner's quality, on its axon port, against
// node i mod N.
func minerArgs(home string, m *Manifest, nr NeuronInfo, netuid uint16, i int) []string {
	n := m.Nodes[i%len(m.Nodes)]
	return []string{"miner", "run",
		"--rpc", "http://" + n.RPC,
		"--netuid", strconv.Itoa(int(netuid)),
		"--wallet-path", filepath.Join(home, WalletsDir),
		"--wallet", nr.Name, "--hotkey", nr.Hotkey,
		"--backend", "builtin", "--quality", nr.Quality,
		"--listen", nr.Axon,
		"--data-dir", filepath.Join(home, MinersDir, nr.Name),
	}
}

// validatorArgs are the arguments of validator i's process.
func validatorArgs(home string, m *Manifest, nr NeuronInfo, netuid uint16, i int, cfg *Config) []string {
	n := m.Nodes[(i+1)%len(m.Nodes)]
	return []string{"validator", "run",
		"--rpc", "http://" + n.RPC,
		"--netuid", strconv.Itoa(int(netuid)),
		"--wallet-path", filepath.Join(home, WalletsDir),
		"--wallet", nr.Name, "--hotkey", nr.Hotkey,
		"--data-dir", filepath.Join(home, ValidatorDir, nr.Name),
		"--interval", fmt.Sprint(cfg.BlockTime * 2),
	}
}
