package validator

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/yumachain/yuma/axon"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

// Deps are the validator's collaborators. Chain and Weights are required,
// and Metagraph unless Run is given Fetch.
type Deps struct {
	Metagraph Metagraph
	// Fetch, used by Run when Metagraph is nil, reads the subnet's
	// neurons; Run refreshes from it every Config.MetagraphRefresh.
	Fetch   axon.Fetch
	Chain   Chain
	Weights WeightSetter
	// Task defaults to the built-in TextGenTask.
	Task       Task
	HTTPClient *http.Client
	Logger     *slog.Logger
	Metrics    *Metrics
	// Clock stamps requests (default time.Now).
	Clock func() time.Time
	// Rand drives sampling and challenges (default: seeded from
	// crypto/rand). Entropy is the source of commit salts (default
	// crypto/rand).
	Rand    *rand.Rand
	Entropy io.Reader
}

// Weight-setting outcomes: the reason labels of weights_skipped_total and
// weights_failed_total.
const (
	SkipNotRegistered  = "not_registered"  // own hotkey not on the subnet
	SkipRateLimited    = "rate_limited"    // weights_rate_limit not yet passed
	SkipNotDue         = "not_due"         // Config.WeightsEvery not yet passed
	SkipNoScores       = "no_scores"       // nothing scored yet
	SkipAwaitingReveal = "awaiting_reveal" // a commit waits for its reveal window
	FailChain          = "chain_error"     // reading chain state failed
	FailSet            = "set_failed"      // SetWeights refused
	FailCommit         = "commit_failed"   // CommitWeights refused
	FailReveal         = "reveal_failed"   // RevealWeights refused (retried in the window)
	FailRevealExpired  = "reveal_expired"  // the window closed before a reveal succeeded
	FailState          = "state_write"     // the pending commit could not be persisted
	FailWeights        = "compute_failed"  // no valid weight vector
)

// Validator scores miners and sets weights. Step is one round; Run loops.
type Validator struct {
	cfg     Config
	hotkey  types.Address
	mg      Metagraph
	chain   Chain
	setter  WeightSetter
	task    Task
	den     *Dendrite
	log     *slog.Logger
	metrics *Metrics
	rng     *rand.Rand
	entropy io.Reader

	mu      sync.Mutex // guards scores and weights across Step and readers
	scores  map[uint16]ScoreEntry
	weights weightsDoc
}

// New builds a validator and loads its state from cfg.DataDir.
func New(cfg Config, deps Deps) (*Validator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Metagraph == nil || deps.Chain == nil || deps.Weights == nil {
		return nil, fmt.Errorf("%w: metagraph, chain and weight setter are required", ErrConfig)
	}
	v := &Validator{
		cfg: cfg, hotkey: crypto.PubkeyToAddress(cfg.Hotkey.PublicKey), mg: deps.Metagraph, chain: deps.Chain,
		setter: deps.Weights, task: deps.Task, log: deps.Logger, metrics: deps.Metrics, rng: deps.Rand, entropy: deps.Entropy,
	}
	if v.task == nil {
		v.task = NewTextGenTask()
	}
	if !axon.ValidSynapseName(v.task.Synapse()) {
		return nil, fmt.Errorf("%w: synapse %q", ErrConfig, v.task.Synapse())
	}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	if v.metrics == nil {
		v.metrics = NopMetrics()
	}
	if v.entropy == nil {
		v.entropy = crand.Reader
	}
	if v.rng == nil {
		var seed [16]byte
		if _, err := io.ReadFull(crand.Reader, seed[:]); err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		v.rng = rand.New(rand.NewPCG(binary.LittleEndian.Uint64(seed[:8]), binary.LittleEndian.Uint64(seed[8:])))
	}
	v.den = NewDendrite(cfg.Hotkey, cfg.ChainID, cfg.NetUID, deps.HTTPClient, cfg.MaxResponseBytes, deps.Clock)

	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("%w: data dir: %v", ErrState, err)
	}
	v.scores = map[uint16]ScoreEntry{}
	if b, err := readState(filepath.Join(cfg.DataDir, scoresFile)); err != nil {
		return nil, err
	} else if b != nil {
		if v.scores, err = decodeScores(b, cfg.NetUID); err != nil {
			return nil, err
		}
	}
	v.weights = weightsDoc{Version: stateVer, NetUID: cfg.NetUID}
	if b, err := readState(filepath.Join(cfg.DataDir, weightsFile)); err != nil {
		return nil, err
	} else if b != nil {
		if v.weights, err = decodeWeights(b, cfg.NetUID); err != nil {
			return nil, err
		}
	}
	for uid, e := range v.scores {
		v.metrics.Score.WithLabelValues(strconv.Itoa(int(uid))).Set(e.Score)
	}
	return v, nil
}

// Scores returns a copy of the moving averages.
func (v *Validator) Scores() map[uint16]ScoreEntry {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[uint16]ScoreEntry, len(v.scores))
	for k, e := range v.scores {
		out[k] = e
	}
	return out
}

// Pending returns the commit awaiting reveal, if any.
func (v *Validator) Pending() *PendingCommit {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.weights.Pending == nil {
		return nil
	}
	p := *v.weights.Pending
	return &p
}

// Step runs one round: query a sample of miners with one challenge, update
// and persist the moving averages, then set weights if the rules allow.
// It returns an error only for failures of the validator itself (state
// files); miners failing is what scores are for, chain failures are
// counted and logged.
func (v *Validator) Step(ctx context.Context) error {
	v.metrics.Rounds.Inc()
	neurons := v.mg.Neurons()
	var self *axon.NeuronInfo
	var miners []axon.NeuronInfo
	for i, n := range neurons {
		switch {
		case n.Hotkey == v.hotkey:
			self = &neurons[i]
		case n.Endpoint != "":
			miners = append(miners, n)
		}
	}
	v.rng.Shuffle(len(miners), func(i, j int) { miners[i], miners[j] = miners[j], miners[i] })
	miners = miners[:min(len(miners), v.cfg.SampleSize)]

	if len(miners) > 0 {
		ch, err := v.task.Challenge(v.rng)
		if err != nil {
			return fmt.Errorf("make challenge: %w", err)
		}
		results := v.queryAll(ctx, miners, ch)
		if err := v.updateScores(neurons, miners, results); err != nil {
			return err
		}
	}
	n := 0
	for _, nr := range neurons {
		n = max(n, int(nr.UID)+1)
	}
	return v.maybeSetWeights(ctx, self, n)
}

// queryAll sends ch to every miner, at most Concurrency at a time, and
// returns the scores in miners' order.
func (v *Validator) queryAll(ctx context.Context, miners []axon.NeuronInfo, ch Challenge) []float64 {
	scores := make([]float64, len(miners))
	sem := make(chan struct{}, v.cfg.Concurrency)
	var wg sync.WaitGroup
	for i, m := range miners {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			scores[i] = v.queryOne(ctx, m, ch)
		})
	}
	wg.Wait()
	return scores
}

func (v *Validator) queryOne(ctx context.Context, m axon.NeuronInfo, ch Challenge) float64 {
	ctx, cancel := context.WithTimeout(ctx, v.cfg.QueryTimeout)
	defer cancel()
	start := time.Now()
	resp, err := v.den.Query(ctx, m, v.task.Synapse(), ch.Body)
	v.metrics.QueryLatency.Observe(time.Since(start).Seconds())
	var result string
	switch {
	case errors.Is(err, ErrForgedResponse):
		result = "forged"
		v.log.Warn("miner response signature invalid", "uid", m.UID, "hotkey", m.Hotkey, "err", err)
	case errors.Is(err, ErrResponseTooLarge):
		result = "too_large"
	case err != nil:
		result = "transport"
		v.log.Debug("miner unreachable", "uid", m.UID, "err", err)
	case resp.Status != http.StatusOK:
		result = "http_" + strconv.Itoa(resp.Status)
	default:
		result = "ok"
	}
	v.metrics.Queries.WithLabelValues(result).Inc()
	if result != "ok" {
		return 0
	}
	return min(1, max(0, ch.Score(resp.Body)))
}

// updateScores folds the round's scores into the moving averages, drops
// UIDs that left the subnet or changed hands, and persists the result.
func (v *Validator) updateScores(neurons, miners []axon.NeuronInfo, scores []float64) error {
	owner := make(map[uint16]types.Address, len(neurons))
	for _, n := range neurons {
		owner[n.UID] = n.Hotkey
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for uid, e := range v.scores {
		if h, ok := owner[uid]; !ok || h != e.Hotkey {
			delete(v.scores, uid)
			v.metrics.Score.DeleteLabelValues(strconv.Itoa(int(uid)))
		}
	}
	for i, m := range miners {
		e, ok := v.scores[m.UID]
		if !ok {
			e = ScoreEntry{UID: m.UID, Hotkey: m.Hotkey}
		}
		e.Score = v.cfg.Alpha*scores[i] + (1-v.cfg.Alpha)*e.Score
		e.Samples++
		v.scores[m.UID] = e
		v.metrics.Score.WithLabelValues(strconv.Itoa(int(m.UID))).Set(e.Score)
	}
	b, err := encodeScores(v.scores, v.cfg.NetUID)
	if err != nil {
		return fmt.Errorf("%w: encode scores: %v", ErrState, err)
	}
	return writeFileAtomic(filepath.Join(v.cfg.DataDir, scoresFile), b)
}

func (v *Validator) skip(reason string, args ...any) {
	v.metrics.WeightsSkipped.WithLabelValues(reason).Inc()
	lvl := slog.LevelInfo
	if reason == SkipRateLimited || reason == SkipNotDue || reason == SkipAwaitingReveal {
		lvl = slog.LevelDebug // expected most rounds
	}
	v.log.Log(context.Background(), lvl, "weights not set", append([]any{"reason", reason}, args...)...)
}

func (v *Validator) fail(reason string, err error, args ...any) {
	v.metrics.WeightsFailed.WithLabelValues(reason).Inc()
	v.log.Warn("weight setting failed", append([]any{"reason", reason, "err", err}, args...)...)
}

// maybeSetWeights applies the weight-setting rules for this round; n is
// the subnet size (highest UID + 1).
func (v *Validator) maybeSetWeights(ctx context.Context, self *axon.NeuronInfo, n int) error {
	if self == nil {
		v.skip(SkipNotRegistered, "hotkey", v.hotkey)
		return nil
	}
	netuid := v.cfg.NetUID
	block, err := v.chain.Block(ctx)
	if err != nil {
		v.fail(FailChain, err)
		return nil
	}
	hp, err := v.chain.Hyperparameters(ctx, netuid)
	if err != nil {
		v.fail(FailChain, err)
		return nil
	}
	last, err := v.chain.LastUpdate(ctx, netuid, self.UID)
	if err != nil {
		v.fail(FailChain, err)
		return nil
	}
	v.checkActivity(block, last, hp.ActivityCutoff)

	v.mu.Lock()
	defer v.mu.Unlock()
	if p := v.weights.Pending; p != nil && p.Unconfirmed {
		if err := v.confirmCommit(ctx, p); err != nil {
			v.fail(FailChain, err)
			return nil
		}
		switch {
		case p.Unconfirmed && block > p.Last:
			// Had it landed by the estimated block, its window would have
			// passed; it is not on chain: it never landed.
			v.fail(FailCommit, fmt.Errorf("commit %s not on chain by block %d", p.Hash, block))
			v.weights.Pending = nil
			if err := v.saveWeights(); err != nil {
				return err
			}
		case p.Unconfirmed:
			v.skip(SkipAwaitingReveal, "block", block, "commit", p.Hash, "unconfirmed", true)
			return nil
		default:
			if err := v.saveWeights(); err != nil {
				return err
			}
		}
	}
	if p := v.weights.Pending; p != nil {
		switch {
		case block < p.First:
			v.skip(SkipAwaitingReveal, "block", block, "reveal_first", p.First)
			return nil
		case block > p.Last:
			v.fail(FailRevealExpired, fmt.Errorf("window %d..%d closed at block %d", p.First, p.Last, block))
			v.weights.Pending = nil
			if err := v.saveWeights(); err != nil {
				return err
			}
		default:
			if err := v.setter.RevealWeights(ctx, netuid, p.UIDs, p.Values, p.Salt, p.VersionKey); err != nil {
				v.fail(FailReveal, err, "block", block, "reveal_last", p.Last)
				return nil
			}
			v.metrics.WeightsSet.WithLabelValues("reveal").Inc()
			v.log.Info("weights revealed", "block", block, "uids", len(p.UIDs), "commit", p.Hash)
			v.weights.Pending = nil
			v.weights.LastSet = block
			return v.saveWeights()
		}
	}
	if block < last+hp.WeightsRateLimit {
		v.skip(SkipRateLimited, "block", block, "last_update", last, "rate_limit", hp.WeightsRateLimit)
		return nil
	}
	if v.weights.LastSet != 0 && block < v.weights.LastSet+v.cfg.WeightsEvery {
		v.skip(SkipNotDue, "block", block, "last_set", v.weights.LastSet)
		return nil
	}
	ema := make(map[uint16]float64, len(v.scores))
	for uid, e := range v.scores {
		ema[uid] = e.Score
	}
	uids, values, err := ComputeWeights(ema, uint16(min(n, 1<<16-1)), self.UID, hp.MinAllowedWeights, hp.MaxWeightsLimit)
	if errors.Is(err, ErrNoScores) {
		v.skip(SkipNoScores)
		return nil
	}
	if err != nil {
		v.fail(FailWeights, err)
		return nil
	}
	vk := v.cfg.VersionKey
	if !hp.CommitRevealEnabled {
		if err := v.setter.SetWeights(ctx, netuid, uids, values, vk); err != nil {
			v.fail(FailSet, err, "block", block)
			return nil
		}
		v.metrics.WeightsSet.WithLabelValues("set").Inc()
		v.log.Info("weights set", "block", block, "uids", len(uids))
		v.weights.LastSet = block
		return v.saveWeights()
	}
	return v.commit(ctx, block, uids, values)
}

// commit publishes a weight commitment. The pending record (with the
// salt) is on disk before the transaction is sent.
func (v *Validator) commit(ctx context.Context, block uint64, uids, values []uint16) error {
	netuid := v.cfg.NetUID
	salt := make([]uint16, 8)
	var raw [16]byte
	if _, err := io.ReadFull(v.entropy, raw[:]); err != nil {
		return fmt.Errorf("salt: %w", err)
	}
	for i := range salt {
		salt[i] = binary.BigEndian.Uint16(raw[2*i:])
	}
	p := &PendingCommit{
		Hash: types.WeightsCommitHash(v.hotkey, netuid, uids, values, salt, v.cfg.VersionKey),
		UIDs: uids, Values: values, Salt: salt, VersionKey: v.cfg.VersionKey, CommitBlock: block,
	}
	var err error
	if p.First, p.Last, err = v.chain.RevealWindow(ctx, netuid, block); err != nil {
		v.fail(FailChain, err)
		return nil
	}
	v.weights.Pending = p
	if err := v.saveWeights(); err != nil {
		v.weights.Pending = nil
		v.fail(FailState, err)
		return err
	}
	included, err := v.setter.CommitWeights(ctx, netuid, p.Hash)
	if err != nil {
		v.fail(FailCommit, err, "block", block)
		if errors.As(err, new(*chain.TxError)) {
			// Refused or failed on chain: it will not land.
			v.weights.Pending = nil
			return v.saveWeights()
		}
		// It may have landed or still land: keep the salt, and ask the
		// chain (now, and each round until the window passes).
		p.Unconfirmed = true
		if cerr := v.confirmCommit(ctx, p); cerr != nil {
			v.log.Warn("cannot tell whether the weights commit landed; asking again next round", "commit", p.Hash, "err", cerr)
		}
		if !p.Unconfirmed {
			v.metrics.WeightsSet.WithLabelValues("commit").Inc()
		}
		return v.saveWeights()
	}
	if included != 0 && included != block {
		p.CommitBlock = included
		if first, last, err := v.chain.RevealWindow(ctx, netuid, included); err == nil {
			p.First, p.Last = first, last
		} else {
			v.log.Warn("reveal window at inclusion block unknown; keeping the estimate", "err", err)
		}
	}
	v.metrics.WeightsSet.WithLabelValues("commit").Inc()
	v.log.Info("weights committed", "block", p.CommitBlock, "reveal_first", p.First, "reveal_last", p.Last, "uids", len(uids))
	return v.saveWeights()
}

// confirmCommit looks for p's hash among the chain's pending commits of
// the validator's hotkey; when it is there, p is confirmed and gets the
// real inclusion block and reveal window.
func (v *Validator) confirmCommit(ctx context.Context, p *PendingCommit) error {
	cs, err := v.chain.PendingCommits(ctx, v.cfg.NetUID, v.hotkey)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.Hash != p.Hash {
			continue
		}
		first, last, err := v.chain.RevealWindow(ctx, v.cfg.NetUID, c.Block)
		if err != nil {
			return err
		}
		p.CommitBlock, p.First, p.Last, p.Unconfirmed = c.Block, first, last, false
		v.log.Info("weights commit found on chain", "block", c.Block, "reveal_first", first, "reveal_last", last, "commit", p.Hash)
		return nil
	}
	return nil
}

// checkActivity updates the activity gauges and warns when the last
// weights update is within the margin of activity_cutoff.
func (v *Validator) checkActivity(block, last, cutoff uint64) {
	since := uint64(0)
	if block > last {
		since = block - last
	}
	v.metrics.BlocksSinceUpdate.Set(float64(since))
	if cutoff == 0 {
		v.metrics.ActivityWarning.Set(0)
		return
	}
	margin := v.cfg.ActivityMargin
	if margin == 0 {
		margin = max(1, cutoff/10)
	}
	if since+margin >= cutoff {
		v.metrics.ActivityWarning.Set(1)
		v.log.Warn("no successful weights update for a long time: close to activity_cutoff, dividends at risk",
			"blocks_since_update", since, "activity_cutoff", cutoff)
		return
	}
	v.metrics.ActivityWarning.Set(0)
}

func (v *Validator) saveWeights() error {
	b, err := jsonIndent(v.weights)
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(v.cfg.DataDir, weightsFile), b)
}

// Run steps every cfg.Interval until ctx ends: the entry point for the
// command line. With deps.Metagraph nil it keeps an axon.Metagraph fresh
// from deps.Fetch (the first fetch must succeed).
func Run(ctx context.Context, cfg Config, deps Deps) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if deps.Metagraph == nil {
		if deps.Fetch == nil {
			return fmt.Errorf("%w: neither a metagraph nor a fetch function", ErrConfig)
		}
		mg, stop, err := axon.StartMetagraph(ctx, deps.Fetch, cfg.MetagraphRefresh, deps.Logger)
		if err != nil {
			return err
		}
		defer stop() // Run returns only once the refresher has stopped
		deps.Metagraph = mg
	}
	v, err := New(cfg, deps)
	if err != nil {
		return err
	}
	v.log.Info("validator running", "hotkey", v.hotkey, "netuid", cfg.NetUID, "interval", cfg.Interval)
	t := time.NewTicker(cfg.Interval)
	defer t.Stop()
	for {
		if err := v.Step(ctx); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
