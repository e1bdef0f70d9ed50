package localnet

import (
	"path/filepath"
	"strconv"
	"time"
)

// Every miner and validator talks to one node, spread over the nodes (miner
// i to node i mod N, validator i to node i+1 mod N), so a dead node stops
// at most the neurons that use it.

// minerArgs are the arguments of miner i's process: `yuma miner run` with
// the built-in model at the miner's quality, on its axon port.
func minerArgs(home string, m *Manifest, nr NeuronInfo, netuid uint16, i int, cfg *Config) []string {
	n := m.Nodes[i%len(m.Nodes)]
	return append(roleArgs(home, n, nr, netuid, MinersDir, cfg), "--listen", nr.Axon, "--backend", "builtin", "--quality", nr.Quality)
}

// validatorArgs are the arguments of validator i's process: `yuma
// validator run` querying every few blocks and setting weights about
// twice per tempo.
func validatorArgs(home string, m *Manifest, nr NeuronInfo, netuid uint16, i int, cfg *Config) []string {
	n := m.Nodes[(i+1)%len(m.Nodes)]
	interval := max(2*cfg.BlockTime, time.Second)
	every := max(uint64(m.Tempo)/2, 1)
	return append(roleArgs(home, n, nr, netuid, ValidatorDir, cfg),
		"--interval", interval.String(), "--weights-every", strconv.FormatUint(every, 10), "--query-timeout", "5s")
}

func roleArgs(home string, n NodeInfo, nr NeuronInfo, netuid uint16, dir string, cfg *Config) []string {
	metrics := "off"
	if nr.Metrics != "" {
		metrics = nr.Metrics
	}
	role := "miner"
	if nr.Role == RoleValidator {
		role = "validator"
	}
	refresh := max(2*cfg.BlockTime, time.Second)
	return []string{role, "run",
		"--rpc", "http://" + n.RPC,
		"--netuid", strconv.Itoa(int(netuid)),
		"--wallet-path", filepath.Join(home, WalletsDir),
		"--wallet", nr.Name, "--hotkey", nr.Hotkey,
		"--data-dir", filepath.Join(home, dir, nr.Name),
		"--metrics", metrics,
		"--metagraph-refresh", refresh.String(),
	}
}
