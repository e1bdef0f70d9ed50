package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/yumachain/yuma/chainview"
	"github.com/yumachain/yuma/internal/tao"
	"github.com/yumachain/yuma/validator"
)

func newValidatorCmd() *cobra.Command {
	g := &globals{}
	c := &cobra.Command{
		Use:   "validator",
		Short: "Run a subnet validator: query miners, score them, set weights",
		Example: `  yuma validator run --netuid 1 --wallet val --hotkey default
  yuma validator run --netuid 1 --wallet val --interval 6s --sample 32`,
	}
	addGlobalFlags(c, g)
	c.AddCommand(newValidatorRunCmd(g))
	return c
}

type validatorFlags struct {
	roleFlags
	interval     time.Duration
	sample       int
	concurrency  int
	queryTimeout time.Duration
	alpha        float64
	weightsEvery uint64
	versionKey   uint64
}

func newValidatorRunCmd(g *globals) *cobra.Command {
	f := &validatorFlags{}
	d := validator.Default()
	c := &cobra.Command{
		Use:   "run",
		Short: "Score the subnet's miners every interval and set weights on chain",
		Long: `Run a validator until interrupted (SIGINT or SIGTERM). Every --interval it sends
one signed challenge to up to --sample miners that publish an axon, verifies
their signed answers, keeps a moving average of their scores, and sets weights
on chain (signed by the hotkey, which pays the fees: send it a little TAO)
within the subnet's rules: weights_rate_limit, min_allowed_weights,
max_weights_limit, and commit-reveal when the subnet enables it.

The hotkey must be registered on the subnet (` + "`yuma neuron register`" + `) and need
stake (` + "`yuma stake add`" + `): miners answer validators with a permit or enough stake.
Scores (scores.json) and a pending weights commit (weights.json) live in
--data-dir: keep it across restarts.`,
		Example: `  yuma validator run --netuid 1 --wallet val --hotkey default
  yuma validator run --netuid 1 --wallet val --interval 6s --sample 32 --weights-every 50
  yuma validator run --netuid 1 --wallet val --data-dir /var/lib/yuma/val --metrics 127.0.0.1:9192 --log-format json`,
		Args: noArgsHint,
		RunE: g.runRole(func(ctx context.Context, cmd *cobra.Command) error { return runValidator(ctx, g, cmd, f) }),
	}
	f.add(c, "validator", "127.0.0.1:9092")
	fl := c.Flags()
	fl.DurationVar(&f.interval, "interval", d.Interval, "time between rounds (one challenge to --sample miners)")
	fl.IntVar(&f.sample, "sample", d.SampleSize, "miners queried per round")
	fl.IntVar(&f.concurrency, "concurrency", d.Concurrency, "queries in flight at once")
	fl.DurationVar(&f.queryTimeout, "query-timeout", d.QueryTimeout, "time limit of one query")
	fl.Float64Var(&f.alpha, "alpha", d.Alpha, "weight of a new score in the moving average, (0, 1]")
	fl.Uint64Var(&f.weightsEvery, "weights-every", d.WeightsEvery, "blocks between weight settings, on top of the subnet's weights_rate_limit")
	fl.Uint64Var(&f.versionKey, "version-key", 0, "version key sent with weights (see weights_version in `yuma subnet hyperparameters`)")
	return c
}

func runValidator(ctx context.Context, g *globals, cmd *cobra.Command, f *validatorFlags) error {
	e, err := g.setupRole(ctx, cmd, &f.roleFlags, "validator")
	if err != nil {
		return err
	}
	cfg := validator.Default()
	cfg.ChainID, cfg.NetUID, cfg.Hotkey, cfg.DataDir = e.chainID, e.netuid, e.hotkey, e.dataDir
	cfg.Interval, cfg.SampleSize, cfg.Concurrency, cfg.QueryTimeout = f.interval, f.sample, f.concurrency, f.queryTimeout
	cfg.Alpha, cfg.WeightsEvery, cfg.VersionKey, cfg.MetagraphRefresh = f.alpha, f.weightsEvery, f.versionKey, f.metagraphRefresh
	if err := cfg.Validate(); err != nil {
		return &cliError{Code: "invalid_argument", Msg: err.Error()}
	}
	nr, registered, err := e.neuron(ctx, g.timeout)
	if err != nil {
		return err
	}
	if !registered {
		return &cliError{Code: "hotkey_not_registered", Msg: fmt.Sprintf("hotkey %s is not registered on subnet %d: register it with `yuma neuron register --netuid %d --wallet %s --hotkey %s`, and stake behind it with `yuma stake add`", e.hotAddr, e.netuid, e.netuid, g.walletName, g.hotkeyName)}
	}
	e.log.Info("hotkey registered", "hotkey", e.hotAddr, "netuid", e.netuid, "uid", nr.UID, "stake", tao.Format(uint64(nr.Stake))+" TAO", "validator_permit", nr.ValidatorPermit)
	if nr.Stake == 0 {
		e.log.Warn("no stake behind the hotkey: miners answer validators with a permit or enough stake; add some with `yuma stake add`")
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	metrics, err := validator.NewMetrics(e.reg)
	if err != nil {
		return err
	}
	if err := e.serveMetrics(ctx, &wg, f.metrics, cmd.Flags().Changed("metrics")); err != nil {
		return err
	}
	deps := validator.Deps{
		Fetch:   e.view.Fetch(e.netuid),
		Chain:   e.view,
		Weights: chainview.NewSigner(e.cl, e.hotkey, chainview.Config{Fee: g.fee, Logger: e.log}),
		Logger:  e.log,
		Metrics: metrics,
	}
	e.log.Info("validator starting", "interval", cfg.Interval, "sample", cfg.SampleSize, "weights_every", cfg.WeightsEvery, "data_dir", e.dataDir)
	err = validator.Run(ctx, cfg, deps)
	cancel()
	e.log.Info("validator stopped")
	return err
}
