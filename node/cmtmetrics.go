package node

import (
	"sync"

	"github.com/cometbft/cometbft/blocksync"
	cmtcfg "github.com/cometbft/cometbft/config"
	cs "github.com/cometbft/cometbft/consensus"
	mempl "github.com/cometbft/cometbft/mempool"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/proxy"
	sm "github.com/cometbft/cometbft/state"
	"github.com/cometbft/cometbft/statesync"
	"github.com/prometheus/client_golang/prometheus"
)

// defaultRegistererMu serializes the swap of prometheus.DefaultRegisterer
// below across nodes created in one process (tests).
var defaultRegistererMu sync.Mutex

// cometMetricsProvider puts CometBFT's own metrics (consensus, p2p,
// mempool, state, blocksync) into the node's registry, so /metrics shows
// them beside the node's. CometBFT registers them on the global default
// registerer; for the duration of their creation the global points at
// reg.
func cometMetricsProvider(reg prometheus.Registerer) cmtnode.MetricsProvider {
	inner := cmtnode.DefaultMetricsProvider(&cmtcfg.InstrumentationConfig{Prometheus: true, Namespace: "cometbft"})
	return func(chainID string) (*cs.Metrics, *p2p.Metrics, *mempl.Metrics, *sm.Metrics, *proxy.Metrics, *blocksync.Metrics, *statesync.Metrics) {
		defaultRegistererMu.Lock()
		defer defaultRegistererMu.Unlock()
		prev := prometheus.DefaultRegisterer
		prometheus.DefaultRegisterer = reg
		defer func() { prometheus.DefaultRegisterer = prev }()
		return inner(chainID)
	}
}
