package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/proxy"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/storage"
	"github.com/yumachain/yuma/storage/pebble"
	"github.com/yumachain/yuma/types"
)

// Node is a running yuma node: the CometBFT engine driving the App, the
// JSON-RPC server and the metrics endpoint, with uniform Start and Stop.
type Node struct {
	home   string
	cfg    Config
	log    *slog.Logger
	reg    *prometheus.Registry
	db     storage.DB
	app    *App
	cmt    *cmtnode.Node
	doc    *cmttypes.GenesisDoc
	rpcSrv *rpc.Server

	resetter *peerResetter

	rpcLn, metricsLn net.Listener
	metricsSrv       *http.Server

	stopOnce sync.Once
	stopErr  error
}

// Option customizes New.
type Option func(*options)

type options struct {
	modules  []chain.Module
	registry *prometheus.Registry
}

// WithModules plugs state modules into the runtime.
func WithModules(m ...chain.Module) Option {
	return func(o *options) { o.modules = append(o.modules, m...) }
}

// WithRegistry uses reg for metrics instead of a fresh registry.
func WithRegistry(reg *prometheus.Registry) Option { return func(o *options) { o.registry = reg } }

// New opens the node in home (created by InitHome and WriteGenesis). It
// does not start it.
func New(home string, cfg Config, logger *slog.Logger, opts ...Option) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var o options
	for _, f := range opts {
		f(&o)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	reg := o.registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	doc, g, err := LoadGenesis(home)
	if err != nil {
		return nil, err
	}
	db, err := pebble.Open(filepath.Join(home, AppDBDir), pebble.DefaultOptions())
	if err != nil {
		return nil, fmt.Errorf("open app database: %w", err)
	}
	n := &Node{home: home, cfg: cfg, log: logger, reg: reg, db: db, doc: doc}
	fail := func(err error) (*Node, error) {
		db.Close()
		return nil, err
	}
	metrics := PrometheusMetrics(reg, g.ChainID)
	app, err := NewApp(db, g, o.modules, logger.With("module", "app"), metrics)
	if err != nil {
		return fail(err)
	}
	n.app = app

	nk, err := p2p.LoadNodeKey(filepath.Join(home, NodeKeyFile))
	if err != nil {
		return fail(fmt.Errorf("load node key %s: %w", filepath.Join(home, NodeKeyFile), err))
	}
	pv, err := loadFilePV(home)
	if err != nil {
		return fail(err)
	}
	cc := cometConfig(home, cfg)
	engineLog := newCometLogger(logger.With("module", "engine"), parseLevel(cfg.Log.EngineLevel))
	cmt, err := cmtnode.NewNode(cc, pv, nk, proxy.NewLocalClientCreator(app),
		func() (*cmttypes.GenesisDoc, error) { return doc, nil },
		pebbleDBProvider, cometMetricsProvider(reg), engineLog)
	if err != nil {
		return fail(fmt.Errorf("start block engine: %w", err))
	}
	n.cmt = cmt
	if cfg.P2P.PeerReset {
		if n.resetter, err = applyLibP2PFix(cmt, logger); err != nil {
			return fail(err)
		}
	}

	if cfg.RPC.Listen != "" {
		rc := rpc.DefaultConfig()
		rc.Listen = cfg.RPC.Listen
		rc.AllowRemote = cfg.RPC.AllowRemote
		rc.CORSOrigins = cfg.RPC.CORSOrigins
		be := &backend{n: n}
		srv, err := rpc.NewServer(rc, be, logger.With("module", "rpc"), rpc.PrometheusMetrics(reg))
		if err != nil {
			return fail(err)
		}
		rpc.RegisterSubnetMethods(srv, be)
		n.rpcSrv = srv
	}
	return n, nil
}

// cometConfig translates the node config into CometBFT's.
func cometConfig(home string, c Config) *cmtcfg.Config {
	cc := cmtcfg.DefaultConfig()
	cc.SetRoot(home)
	cc.Moniker = c.Moniker
	cc.Genesis = GenesisFile
	cc.NodeKey = NodeKeyFile
	cc.PrivValidatorKey = ValidatorKey
	cc.PrivValidatorState = ValidatorState
	cc.RPC.ListenAddress = "" // the engine's own RPC is off; ours is the interface
	cc.RPC.PprofListenAddress = ""
	cc.P2P.ListenAddress = "tcp://" + c.P2P.Listen
	if c.P2P.External != "" {
		cc.P2P.ExternalAddress = "tcp://" + c.P2P.External
	}
	cc.P2P.LibP2PConfig.Enabled = true
	cc.P2P.LibP2PConfig.BootstrapPeers = nil
	for _, p := range c.P2P.Bootstrap {
		cc.P2P.LibP2PConfig.BootstrapPeers = append(cc.P2P.LibP2PConfig.BootstrapPeers,
			cmtcfg.LibP2PBootstrapPeer{Host: p.Host, ID: p.ID, Persistent: true})
	}
	cc.Consensus.TimeoutCommit = c.Consensus.BlockTime.Duration
	cc.Consensus.TimeoutPropose = c.Consensus.TimeoutPropose.Duration
	cc.Consensus.CreateEmptyBlocks = c.Consensus.EmptyBlocks
	cc.Mempool.Size = c.Mempool.Size
	cc.Mempool.MaxTxsBytes = int64(c.Mempool.MaxBytes)
	cc.Mempool.CacheSize = c.Mempool.CacheSize
	cc.Mempool.MaxTxBytes = types.MaxTxSize
	cc.TxIndex.Indexer = "null" // the app indexes transactions itself
	cc.Instrumentation.Prometheus = false
	return cc
}

// Start starts the engine and the servers. It returns once they listen.
func (n *Node) Start() error {
	if n.rpcSrv != nil {
		ln, err := net.Listen("tcp", n.cfg.RPC.Listen)
		if err != nil {
			return fmt.Errorf("rpc listen on %s: %w (is another node using this port? change rpc.listen in %s)", n.cfg.RPC.Listen, err, filepath.Join(n.home, ConfigFile))
		}
		n.rpcLn = ln
	}
	if n.cfg.Metrics.Listen != "" {
		ln, err := net.Listen("tcp", n.cfg.Metrics.Listen)
		if err != nil {
			n.closeListeners()
			return fmt.Errorf("metrics listen on %s: %w (change metrics.listen in %s)", n.cfg.Metrics.Listen, err, filepath.Join(n.home, ConfigFile))
		}
		n.metricsLn = ln
	}
	if err := n.cmt.Start(); err != nil {
		n.closeListeners()
		return fmt.Errorf("start block engine: %w", err)
	}
	if n.rpcLn != nil {
		go func() {
			if err := n.rpcSrv.Serve(n.rpcLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				n.log.Error("rpc server stopped", "err", err)
			}
		}()
	}
	if n.metricsLn != nil {
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(prometheus.Gatherers{n.reg}, promhttp.HandlerOpts{}))
		n.metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := n.metricsSrv.Serve(n.metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				n.log.Error("metrics server stopped", "err", err)
			}
		}()
	}
	go n.sampleGauges()
	n.log.Info("node started", "moniker", n.cfg.Moniker, "chain_id", n.doc.ChainID, "rpc", n.cfg.RPC.Listen, "metrics", n.cfg.Metrics.Listen, "p2p", n.cfg.P2P.Listen)
	return nil
}

func (n *Node) closeListeners() {
	if n.rpcLn != nil {
		n.rpcLn.Close()
	}
	if n.metricsLn != nil {
		n.metricsLn.Close()
	}
}

// sampleGauges refreshes gauges the engine does not push to us.
func (n *Node) sampleGauges() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for range t.C {
		if !n.cmt.IsRunning() {
			return
		}
		n.app.metrics.MempoolSize.Set(float64(n.cmt.Mempool().Size()))
		n.app.metrics.Peers.Set(float64(n.cmt.Switch().Peers().Size()))
	}
}

// Stop stops the servers and the engine and closes the database. It is
// safe to call more than once.
func (n *Node) Stop() error {
	n.stopOnce.Do(func() {
		n.resetter.stop()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if n.rpcSrv != nil {
			n.rpcSrv.Shutdown(ctx)
		}
		if n.metricsSrv != nil {
			n.metricsSrv.Shutdown(ctx)
		}
		if n.cmt.IsRunning() {
			if err := n.cmt.Stop(); err != nil {
				n.stopErr = err
			}
			n.cmt.Wait()
		}
		if err := n.db.Close(); err != nil && n.stopErr == nil {
			n.stopErr = err
		}
	})
	return n.stopErr
}

// App returns the node's application.
func (n *Node) App() *App { return n.app }

// Registry returns the node's metrics registry.
func (n *Node) Registry() *prometheus.Registry { return n.reg }

// RPCAddr returns the address the RPC server listens on, if any.
func (n *Node) RPCAddr() string {
	if n.rpcLn == nil {
		return ""
	}
	return n.rpcLn.Addr().String()
}

// ChainID returns the chain id.
func (n *Node) ChainID() string { return n.doc.ChainID }

// cometLogger adapts slog to CometBFT's logger.
type cometLogger struct {
	l   *slog.Logger
	min slog.Level
}

func newCometLogger(l *slog.Logger, min slog.Level) cmtlog.Logger {
	return &cometLogger{l: l, min: min}
}

func (c *cometLogger) log(level slog.Level, msg string, kv ...any) {
	if level < c.min {
		return
	}
	c.l.Log(context.Background(), level, msg, kv...)
}
func (c *cometLogger) Debug(msg string, kv ...any) { c.log(slog.LevelDebug, msg, kv...) }
func (c *cometLogger) Info(msg string, kv ...any)  { c.log(slog.LevelInfo, msg, kv...) }
func (c *cometLogger) Warn(msg string, kv ...any)  { c.log(slog.LevelWarn, msg, kv...) }
func (c *cometLogger) Error(msg string, kv ...any) { c.log(slog.LevelError, msg, kv...) }
func (c *cometLogger) With(kv ...any) cmtlog.Logger {
	return &cometLogger{l: c.l.With(kv...), min: c.min}
}

func parseLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// backendState returns a reader of the finalized state.
func (n *Node) backendState() (chain.Reader, error) {
	r, _, err := (&backend{n: n}).stateAt(nil)
	return r, err
}
