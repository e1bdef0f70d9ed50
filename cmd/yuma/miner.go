package main

// `yuma miner run` and the plumbing it shares with `yuma validator run`
// (validator.go): role flags, logging, the Prometheus endpoint, loading the
// hotkey and checking its registration.

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/yumachain/yuma/axon"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/chainview"
	"github.com/yumachain/yuma/internal/tao"
	"github.com/yumachain/yuma/miner"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/types"
)

func newMinerCmd() *cobra.Command {
	g := &globals{}
	c := &cobra.Command{
		Use:   "miner",
		Short: "Run a subnet miner: an axon that serves inference to validators",
		Example: `  yuma miner run --netuid 1 --wallet miner --hotkey default
  yuma miner run --netuid 1 --wallet miner --listen 0.0.0.0:8091 --external-ip 203.0.113.7 --register`,
	}
	addGlobalFlags(c, g)
	c.AddCommand(newMinerRunCmd(g))
	return c
}

// roleFlags are the flags `miner run` and `validator run` share beside the
// globals.
type roleFlags struct {
	netuid           int
	dataDir          string
	metrics          string
	logLevel         string
	logFormat        string
	metagraphRefresh time.Duration
}

func (r *roleFlags) add(c *cobra.Command, role, defaultMetrics string) {
	netuidFlag(c, &r.netuid)
	f := c.Flags()
	f.StringVar(&r.dataDir, "data-dir", "", fmt.Sprintf("state folder (default $YUMA_HOME/%s/WALLET/HOTKEY/NETUID or ~/.yuma/...)", role))
	f.StringVar(&r.metrics, "metrics", defaultMetrics, `Prometheus /metrics listen address ("off" to disable)`)
	f.StringVar(&r.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.StringVar(&r.logFormat, "log-format", "text", "log format: text or json")
	f.DurationVar(&r.metagraphRefresh, "metagraph-refresh", 12*time.Second, "how often the metagraph is read from the chain")
}

// runRole wraps the body of a long-running command. Its context ends on
// SIGINT or SIGTERM, and then it exits cleanly (status 0) whatever the
// body returns. Other failures are classified as for every command, and
// with --json also written to stdout as an errorJSON (logs are then JSON
// too, on stderr).
func (g *globals) runRole(body func(ctx context.Context, cmd *cobra.Command) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		g.cmd = cmd
		err := body(cmd.Context(), cmd)
		if err == nil || cmd.Context().Err() != nil {
			return nil
		}
		ce := g.classify(err)
		if g.jsonOut {
			var out errorJSON
			out.Error.Code, out.Error.Message, out.Error.RetryAt, out.Error.TxHash = ce.Code, ce.Msg, ce.RetryAt, ce.TxHash
			g.printJSON(cmd.OutOrStdout(), out)
		}
		return ce
	}
}

// roleEnv is what a running role needs from the chain and the wallet.
type roleEnv struct {
	log     *slog.Logger
	netuid  uint16
	hotkey  *ecdsa.PrivateKey
	hotAddr types.Address
	cl      *rpc.Client
	view    *chainview.View
	chainID string
	dataDir string
	reg     *prometheus.Registry
}

// setupRole checks the flags, opens the logger, loads the hotkey and
// reads the chain id. The node must answer.
func (g *globals) setupRole(ctx context.Context, cmd *cobra.Command, r *roleFlags, role string) (*roleEnv, error) {
	g.cmd = cmd
	n, err := checkNetuid(r.netuid)
	if err != nil {
		return nil, err
	}
	if r.metagraphRefresh <= 0 {
		return nil, &cliError{Code: "invalid_argument", Msg: "--metagraph-refresh must be positive"}
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(r.logLevel)); err != nil {
		return nil, &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--log-level %q: want debug, info, warn or error", r.logLevel)}
	}
	if r.logFormat != "text" && r.logFormat != "json" {
		return nil, &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--log-format %q: want text or json", r.logFormat)}
	}
	format := r.logFormat
	if g.jsonOut && !cmd.Flags().Changed("log-format") {
		format = "json"
	}
	e := &roleEnv{netuid: n, log: newLogger(cmd.ErrOrStderr(), r.logLevel, format).With("role", role)}
	if e.hotkey, err = g.hotkey(); err != nil {
		return nil, err
	}
	e.hotAddr = pubAddr(e.hotkey)
	if e.cl, err = g.client(); err != nil {
		return nil, err
	}
	e.view = chainview.NewView(e.cl)
	sctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	if e.chainID, err = e.view.ChainID(sctx); err != nil {
		return nil, err
	}
	e.dataDir = r.dataDir
	if e.dataDir == "" {
		e.dataDir = filepath.Join(defaultHome(role), g.walletName, g.hotkeyName, strconv.Itoa(int(n)))
	}
	e.reg = prometheus.NewRegistry()
	e.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return e, nil
}

// neuron reads the hotkey's neuron; ok is false when it is not registered.
func (e *roleEnv) neuron(ctx context.Context, timeout time.Duration) (subnet.NeuronInfo, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	nr, err := e.view.Neuron(ctx, e.netuid, e.hotAddr)
	if errors.Is(err, chainview.ErrNotFound) {
		if _, serr := e.cl.SubnetInfo(ctx, e.netuid, nil); serr != nil {
			var re *rpc.Error
			if errors.As(serr, &re) && re.Code == rpc.CodeNotFound {
				return nr, false, &cliError{Code: "subnet_not_found", Msg: fmt.Sprintf("subnet %d does not exist: see `yuma subnet list`", e.netuid)}
			}
			return nr, false, serr
		}
		return nr, false, nil
	}
	return nr, err == nil, err
}

// serveMetrics serves /metrics from e.reg on addr until ctx ends. The
// default address is best effort: if it is taken (another miner or
// validator on this machine), metrics are off with a warning. An address
// given explicitly must work.
func (e *roleEnv) serveMetrics(ctx context.Context, wg *sync.WaitGroup, addr string, explicit bool) error {
	if addr == "" || addr == "off" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if !explicit {
			e.log.Warn("metrics disabled: the default address is taken; pass --metrics HOST:PORT", "addr", addr, "err", err)
			return nil
		}
		return &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--metrics %s: %v", addr, err)}
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		e.log.Warn("metrics are served on a non-loopback address", "addr", ln.Addr().String())
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	wg.Go(func() { _ = srv.Serve(ln) })
	wg.Go(func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	})
	e.log.Info("metrics served", "url", "http://"+ln.Addr().String()+"/metrics")
	return nil
}

type minerFlags struct {
	roleFlags
	listen     string
	externalIP string
	register   bool
	backend    string
	upstream   string
	model      string
	chat       bool
	apiKeyEnv  string
	quality    string
	noise      float64
	minStake   string
}

func newMinerRunCmd(g *globals) *cobra.Command {
	f := &minerFlags{}
	c := &cobra.Command{
		Use:   "run",
		Short: "Serve the subnet's task on an axon and publish its endpoint on chain",
		Long: `Run a miner until interrupted (SIGINT or SIGTERM). The miner listens on --listen,
publishes its endpoint on chain with serve_axon (signed by the hotkey, which pays
the fee: send it a little TAO), and answers the signed requests of the subnet's
validators with the chosen backend: the built-in model, or an OpenAI-compatible
upstream (vLLM, llama.cpp server, Ollama...).

The published IP is --external-ip, else the --listen host if it is a specific
address, else the address this machine uses to reach the node. With --register,
an unregistered hotkey is first registered (the coldkey signs and burns the
registration cost; its password comes from --password-file, --password-fd or
the environment). Hotkeys are usually stored unencrypted and need no password.

Replay protection (nonces.log) lives in --data-dir: keep it across restarts.`,
		Example: `  yuma miner run --netuid 1 --wallet miner --hotkey default
  yuma miner run --netuid 1 --wallet miner --listen 127.0.0.1:8091 --register --password-file ./pw
  yuma miner run --netuid 1 --wallet miner --listen 0.0.0.0:8091 --external-ip 203.0.113.7 \
      --backend openai --upstream http://127.0.0.1:11434/v1 --model llama3 --chat
  yuma miner run --netuid 1 --wallet miner --quality noisy --metrics 127.0.0.1:9191   # a deliberately bad miner`,
		Args: noArgsHint,
		RunE: g.runRole(func(ctx context.Context, cmd *cobra.Command) error { return runMiner(ctx, g, cmd, f) }),
	}
	f.add(c, "miner", "127.0.0.1:9091")
	fl := c.Flags()
	fl.StringVar(&f.listen, "listen", "0.0.0.0:8091", "axon listen address HOST:PORT")
	fl.StringVar(&f.externalIP, "external-ip", "", "IP address to publish on chain (default: see above)")
	fl.BoolVar(&f.register, "register", false, "register the hotkey on the subnet first if it is not (the coldkey pays)")
	fl.StringVar(&f.backend, "backend", miner.BackendBuiltin, "inference backend: builtin or openai")
	fl.StringVar(&f.upstream, "upstream", "", "OpenAI-compatible server base URL (--backend openai)")
	fl.StringVar(&f.model, "model", "default", "model name sent to the upstream")
	fl.BoolVar(&f.chat, "chat", false, "use /v1/chat/completions instead of /v1/completions")
	fl.StringVar(&f.apiKeyEnv, "api-key-env", "", "environment variable holding the upstream's API key (sent as a bearer token)")
	fl.StringVar(&f.quality, "quality", miner.QualityGood, "degrade answers on purpose (tests, local networks): good, noisy or garbage")
	fl.Float64Var(&f.noise, "noise-fraction", 0.3, "share of tokens replaced with --quality noisy")
	fl.StringVar(&f.minStake, "min-stake", "1000", "TAO of stake that admits a registered caller without a validator permit (0: permit holders only)")
	return c
}

// minerConfig builds the miner's config from the flags.
func (f *minerFlags) config(e *roleEnv) (miner.Config, error) {
	cfg := miner.Default()
	cfg.ChainID, cfg.NetUID, cfg.Hotkey, cfg.DataDir = e.chainID, e.netuid, e.hotkey, e.dataDir
	cfg.Listen = f.listen
	cfg.MetagraphRefresh = f.metagraphRefresh
	cfg.Backend.Kind, cfg.Backend.Quality, cfg.Backend.NoiseFraction = f.backend, f.quality, f.noise
	cfg.Backend.OpenAI.URL, cfg.Backend.OpenAI.Model, cfg.Backend.OpenAI.Chat = f.upstream, f.model, f.chat
	if f.apiKeyEnv != "" {
		key, ok := os.LookupEnv(f.apiKeyEnv)
		if !ok || key == "" {
			return cfg, &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--api-key-env %s: the variable is not set", f.apiKeyEnv)}
		}
		cfg.Backend.OpenAI.APIKey = key
	}
	if f.minStake == "0" {
		cfg.MinStake = 0
	} else {
		v, err := parseAmount("min-stake", f.minStake)
		if err != nil {
			return cfg, err
		}
		cfg.MinStake = v
	}
	if err := cfg.Validate(); err != nil {
		return cfg, &cliError{Code: "invalid_argument", Msg: err.Error()}
	}
	return cfg, nil
}

func runMiner(ctx context.Context, g *globals, cmd *cobra.Command, f *minerFlags) error {
	if f.backend == miner.BackendOpenAI && f.upstream == "" {
		return &cliError{Code: "invalid_argument", Msg: "--backend openai needs --upstream URL (e.g. http://127.0.0.1:11434/v1)"}
	}
	e, err := g.setupRole(ctx, cmd, &f.roleFlags, "miner")
	if err != nil {
		return err
	}
	cfg, err := f.config(e)
	if err != nil {
		return err
	}
	// Bind first: a taken port or a bad address fails here, before any fee.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--listen %s: %v", cfg.Listen, err)}
	}
	defer ln.Close()
	ep, how, err := f.endpoint(ln.Addr(), e.cl.URL())
	if err != nil {
		return err
	}
	if how != "" {
		e.log.Warn("publishing "+how+"; pass --external-ip if validators reach this machine at another address", "ip", ep.Addr())
	}

	nr, registered, err := e.neuron(ctx, g.timeout)
	if err != nil {
		return err
	}
	if !registered {
		if !f.register {
			return &cliError{Code: "hotkey_not_registered", Msg: fmt.Sprintf("hotkey %s is not registered on subnet %d: run with --register, or `yuma neuron register --netuid %d --wallet %s --hotkey %s`", e.hotAddr, e.netuid, e.netuid, g.walletName, g.hotkeyName)}
		}
		if nr, err = g.registerHotkey(ctx, e); err != nil {
			return err
		}
	}
	e.log.Info("hotkey registered", "hotkey", e.hotAddr, "netuid", e.netuid, "uid", nr.UID)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	metrics, err := miner.NewMetrics(e.reg)
	if err != nil {
		return err
	}
	if err := e.serveMetrics(ctx, &wg, f.metrics, cmd.Flags().Changed("metrics")); err != nil {
		return err
	}
	mg := &axon.Metagraph{}
	fetch := e.view.Fetch(e.netuid)
	if err := mg.Refresh(ctx, fetch); err != nil {
		return err
	}
	wg.Go(func() { _ = mg.Follow(ctx, fetch, cfg.MetagraphRefresh, e.log) })
	srv, err := miner.New(cfg, miner.Deps{Metagraph: mg, Logger: e.log, Metrics: metrics})
	if err != nil {
		return &cliError{Code: "invalid_argument", Msg: err.Error()}
	}
	hot := chainview.NewSigner(e.cl, e.hotkey, chainview.Config{Fee: g.fee, Logger: e.log})
	wg.Go(func() { publishAxon(ctx, e, hot, nr.Axon, ep) })
	e.log.Info("miner starting", "listen", ln.Addr().String(), "endpoint", ep.String(), "backend", f.backend, "quality", f.quality, "data_dir", e.dataDir)
	serr := srv.Serve(ctx, ln)
	cancel()
	if cerr := srv.Close(); serr == nil {
		serr = cerr
	}
	e.log.Info("miner stopped")
	return serr
}

// registerHotkey registers the hotkey with the wallet's coldkey.
func (g *globals) registerHotkey(ctx context.Context, e *roleEnv) (subnet.NeuronInfo, error) {
	cold, err := g.coldkey()
	if err != nil {
		return subnet.NeuronInfo{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	cost, _, err := g.burnCost(ctx, e.netuid)
	if err != nil {
		return subnet.NeuronInfo{}, err
	}
	e.log.Info("registering the hotkey", "hotkey", e.hotAddr, "netuid", e.netuid, "burn", tao.Format(cost)+" TAO")
	s := chainview.NewSigner(e.cl, cold, chainview.Config{Fee: g.fee, Logger: e.log})
	uid, res, err := s.BurnedRegister(ctx, e.netuid, e.hotAddr)
	if err != nil {
		return subnet.NeuronInfo{}, err
	}
	e.log.Info("registration included", "uid", uid, "block", res.Height, "tx", res.Hash)
	nr, err := e.view.Neuron(ctx, e.netuid, e.hotAddr)
	return nr, err
}

// endpoint is the address to publish for a miner listening on addr. how
// is non-empty when the IP was guessed.
func (f *minerFlags) endpoint(addr net.Addr, rpcURL string) (netip.AddrPort, string, error) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return netip.AddrPort{}, "", fmt.Errorf("listener address %v is not TCP", addr)
	}
	port := uint16(tcp.Port)
	if f.externalIP != "" {
		ip, err := netip.ParseAddr(f.externalIP)
		if err != nil || ip.IsUnspecified() {
			return netip.AddrPort{}, "", &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--external-ip %q is not a specific IPv4 or IPv6 address", f.externalIP)}
		}
		return netip.AddrPortFrom(ip.Unmap(), port), "", nil
	}
	if ip, ok := netip.AddrFromSlice(tcp.IP); ok && !ip.IsUnspecified() {
		return netip.AddrPortFrom(ip.Unmap(), port), "", nil
	}
	// Listening on every interface: publish the address of the one that
	// reaches the node (no packet is sent by a UDP "dial").
	u, err := url.Parse(rpcURL)
	if err == nil {
		host := u.Hostname()
		if c, derr := net.Dial("udp", net.JoinHostPort(host, "9")); derr == nil {
			defer c.Close()
			if la, ok := c.LocalAddr().(*net.UDPAddr); ok {
				if ip, ok := netip.AddrFromSlice(la.IP); ok && !ip.IsUnspecified() {
					return netip.AddrPortFrom(ip.Unmap(), port), "the address this machine uses to reach the node", nil
				}
			}
		}
	}
	return netip.AddrPort{}, "", &cliError{Code: "invalid_argument", Msg: "cannot tell which IP to publish: pass --external-ip"}
}

// publishAxon publishes ep with serve_axon unless the chain already has
// it, retrying until it succeeds or ctx ends: after a serving rate limit
// at the block the chain names, after other failures with a growing pause.
func publishAxon(ctx context.Context, e *roleEnv, s *chainview.Signer, have *subnet.AxonInfo, ep netip.AddrPort) {
	if have != nil && have.Port == ep.Port() {
		if ip, err := netip.ParseAddr(have.IP); err == nil && ip.Unmap() == ep.Addr() {
			e.log.Info("axon already published on chain", "endpoint", ep.String(), "since_block", have.Block)
			return
		}
	}
	pause := 2 * time.Second
	for {
		res, err := s.ServeAxon(ctx, e.netuid, ep)
		if err == nil {
			e.log.Info("axon published on chain", "endpoint", ep.String(), "block", res.Height, "tx", res.Hash)
			return
		}
		if ctx.Err() != nil {
			return
		}
		var te *chainview.TxError
		switch {
		case errors.As(err, &te) && te.RetryAt != 0:
			e.log.Warn("serve_axon rate limited; retrying at the block the chain names", "retry_at", te.RetryAt, "err", err)
			if e.view.WaitBlock(ctx, te.RetryAt, time.Second) != nil {
				return
			}
			continue
		case errors.As(err, &te) && te.Code == chain.ErrCannotPayFee.Code:
			e.log.Error("serve_axon: the hotkey cannot pay the fee; send it some TAO with `yuma wallet transfer --to WALLET/HOTKEY`", "hotkey", e.hotAddr, "err", err)
		default:
			e.log.Warn("serve_axon failed; retrying", "in", pause, "err", err)
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		pause = min(2*pause, time.Minute)
	}
}
