package validator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/yumachain/yuma/axon"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/miner"
)

// TestQualityRanking: three real miners of different quality and one
// validator; after a few rounds the good miner has the highest weight and
// the garbage miner the lowest.
func TestQualityRanking(t *testing.T) {
	valKey := key(t, 100)
	good := startMiner(t, 1, 11, miner.QualityGood, valKey, nil)
	noisy := startMiner(t, 2, 12, miner.QualityNoisy, valKey, nil)
	garbage := startMiner(t, 3, 13, miner.QualityGarbage, valKey, nil)
	n := newTestNet(t, good, noisy, garbage)
	n.chain.hp.MinAllowedWeights = 3 // every miner gets a listed weight
	for range 5 {
		n.step()
		n.chain.advance(1)
	}
	s := n.v.Scores()
	t.Logf("moving averages: good %.3f noisy %.3f garbage %.3f", s[1].Score, s[2].Score, s[3].Score)
	w := n.setter.lastSet()
	if w == nil {
		t.Fatal("no weights set")
	}
	t.Logf("weights: %s", describe(w))
	if !(w[1] > w[2] && w[2] > w[3]) {
		t.Fatalf("weights good %d noisy %d garbage %d: want good > noisy > garbage", w[1], w[2], w[3])
	}
	if w[1] != 65535 {
		t.Errorf("best weight %d, want 65535 (max-upscaled)", w[1])
	}
	if got := testutil.ToFloat64(n.metrics.Queries.WithLabelValues("ok")); got != 15 {
		t.Errorf("ok queries = %v, want 15", got)
	}
	if got := testutil.ToFloat64(n.metrics.WeightsSet.WithLabelValues("set")); got != 5 {
		t.Errorf("weights set %v times, want 5", got)
	}
}

// TestScoresPersist: a restart keeps the moving averages; a UID taken by a
// new hotkey starts again from zero.
func TestScoresPersist(t *testing.T) {
	valKey := key(t, 100)
	good := startMiner(t, 1, 11, miner.QualityGood, valKey, nil)
	other := startMiner(t, 2, 12, miner.QualityGood, valKey, nil)
	n := newTestNet(t, good, other)
	n.step()
	before := n.v.Scores()
	if before[1].Score == 0 || before[2].Score == 0 {
		t.Fatalf("no scores after a round: %+v", before)
	}
	n.start()
	after := n.v.Scores()
	if after[1] != before[1] || after[2] != before[2] {
		t.Fatalf("scores after restart %+v, before %+v", after, before)
	}
	// UID 2 changes hands.
	replacement := startMiner(t, 2, 14, miner.QualityGarbage, valKey, nil)
	ns := n.mg.Neurons()
	ns[2] = replacement
	if err := n.mg.Set(axon.Snapshot{Neurons: ns}); err != nil {
		t.Fatal(err)
	}
	n.step()
	if s := n.v.Scores()[2]; s.Hotkey != replacement.Hotkey || s.Samples != 1 {
		t.Fatalf("uid 2 after takeover: %+v", s)
	}
	// A corrupt scores file is refused, not silently reset.
	if err := os.WriteFile(filepath.Join(n.dir, scoresFile), []byte(`{"version":1,"netuid":1,"scores":[{"uid":1,"score":7}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(TestConfig(n.valKey, n.dir), Deps{Metagraph: n.mg, Chain: n.chain, Weights: n.setter}); !errors.Is(err, ErrState) {
		t.Fatalf("corrupt scores: %v", err)
	}
}

func TestWeightsRateLimit(t *testing.T) {
	valKey := key(t, 100)
	n := newTestNet(t, startMiner(t, 1, 11, miner.QualityGood, valKey, nil))
	n.chain.hp.WeightsRateLimit = 10
	n.step() // block 1000, last update 0: allowed
	if len(n.setter.sets) != 1 {
		t.Fatalf("%d sets", len(n.setter.sets))
	}
	n.chain.advance(5)
	n.step()
	if len(n.setter.sets) != 1 {
		t.Fatal("set weights inside the rate limit")
	}
	if got := testutil.ToFloat64(n.metrics.WeightsSkipped.WithLabelValues(SkipRateLimited)); got != 1 {
		t.Errorf("rate_limited skips = %v", got)
	}
	n.chain.advance(5)
	n.step()
	if len(n.setter.sets) != 2 {
		t.Fatal("did not set weights after the rate limit")
	}
}

func TestWeightsFailuresCounted(t *testing.T) {
	valKey := key(t, 100)
	n := newTestNet(t, startMiner(t, 1, 11, miner.QualityGood, valKey, nil))
	n.setter.err = errors.New("tx refused: bad nonce")
	n.step()
	if got := testutil.ToFloat64(n.metrics.WeightsFailed.WithLabelValues(FailSet)); got != 1 {
		t.Errorf("set_failed = %v", got)
	}
	n.setter.err = nil
	n.chain.err = errors.New("rpc down")
	n.step()
	if got := testutil.ToFloat64(n.metrics.WeightsFailed.WithLabelValues(FailChain)); got != 1 {
		t.Errorf("chain_error = %v", got)
	}
	n.chain.err = nil
	// Not registered: own hotkey missing from the metagraph.
	ns := n.mg.Neurons()[1:]
	if err := n.mg.Set(axon.Snapshot{Neurons: ns}); err != nil {
		t.Fatal(err)
	}
	n.step()
	if got := testutil.ToFloat64(n.metrics.WeightsSkipped.WithLabelValues(SkipNotRegistered)); got != 1 {
		t.Errorf("not_registered = %v", got)
	}
}

func TestNoScoresSkipped(t *testing.T) {
	n := newTestNet(t, axon.NeuronInfo{UID: 1, Hotkey: addr(key(t, 50)), Endpoint: "http://127.0.0.1:1"})
	n.step()
	if got := testutil.ToFloat64(n.metrics.WeightsSkipped.WithLabelValues(SkipNoScores)); got != 1 {
		t.Errorf("no_scores = %v", got)
	}
	if got := testutil.ToFloat64(n.metrics.Queries.WithLabelValues("transport")); got != 1 {
		t.Errorf("transport failures = %v", got)
	}
}

func TestActivityWarning(t *testing.T) {
	valKey := key(t, 100)
	n := newTestNet(t, startMiner(t, 1, 11, miner.QualityGood, valKey, nil))
	n.chain.hp.ActivityCutoff = 1000
	n.chain.hp.WeightsRateLimit = 1 << 40 // never allowed: the warning must fire
	n.chain.last[0] = 50                  // 950 blocks ago, margin 100
	n.step()
	if got := testutil.ToFloat64(n.metrics.ActivityWarning); got != 1 {
		t.Errorf("activity warning = %v, want 1", got)
	}
	if got := testutil.ToFloat64(n.metrics.BlocksSinceUpdate); got != 950 {
		t.Errorf("blocks since update = %v", got)
	}
	n.chain.last[0] = 900
	n.step()
	if got := testutil.ToFloat64(n.metrics.ActivityWarning); got != 0 {
		t.Errorf("activity warning after an update = %v, want 0", got)
	}
}

// TestCommitReveal: with commit-reveal on, the validator commits, survives
// a restart with the salt, reveals in the window, and the reveal matches
// the commitment.
func TestCommitReveal(t *testing.T) {
	valKey := key(t, 100)
	n := newTestNet(t, startMiner(t, 1, 11, miner.QualityGood, valKey, nil), startMiner(t, 2, 12, miner.QualityNoisy, valKey, nil))
	n.chain.hp.CommitRevealEnabled = true
	n.step() // block 1000: commit
	if len(n.setter.commits) != 1 || len(n.setter.sets) != 0 {
		t.Fatalf("commits %d sets %d", len(n.setter.commits), len(n.setter.sets))
	}
	p := n.v.Pending()
	if p == nil || p.First != 1010 || p.Last != 1014 || p.Hash != n.setter.commits[0] {
		t.Fatalf("pending %+v", p)
	}
	n.chain.advance(5)
	n.step() // before the window
	if got := testutil.ToFloat64(n.metrics.WeightsSkipped.WithLabelValues(SkipAwaitingReveal)); got != 1 {
		t.Errorf("awaiting_reveal = %v", got)
	}
	n.start() // restart: the pending commit comes back from disk
	if q := n.v.Pending(); q == nil || q.Hash != p.Hash {
		t.Fatalf("pending after restart: %+v", q)
	}
	n.chain.advance(5) // block 1010: reveal
	n.step()
	if n.setter.reveals != 1 || n.v.Pending() != nil {
		t.Fatalf("reveals %d, pending %+v", n.setter.reveals, n.v.Pending())
	}
	if got := testutil.ToFloat64(n.metrics.WeightsSet.WithLabelValues("reveal")); got != 1 {
		t.Errorf("reveal count = %v", got)
	}
	// Next commit; let its window pass without a successful reveal.
	n.chain.advance(1)
	n.step()
	if len(n.setter.commits) != 2 {
		t.Fatalf("second commit missing: %d", len(n.setter.commits))
	}
	n.setter.err = errors.New("reveal refused")
	n.chain.advance(10)
	n.step()
	if got := testutil.ToFloat64(n.metrics.WeightsFailed.WithLabelValues(FailReveal)); got != 1 {
		t.Errorf("reveal_failed = %v", got)
	}
	n.chain.advance(10)
	n.setter.err = nil
	n.step()
	if got := testutil.ToFloat64(n.metrics.WeightsFailed.WithLabelValues(FailRevealExpired)); got != 1 {
		t.Errorf("reveal_expired = %v", got)
	}
	if len(n.setter.commits) != 3 {
		t.Errorf("no fresh commit after expiry: %d commits", len(n.setter.commits))
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	n := newTestNet(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfg := TestConfig(n.valKey, t.TempDir())
	if err := Run(ctx, cfg, Deps{Metagraph: n.mg, Chain: n.chain, Weights: n.setter}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := Run(ctx, cfg, Deps{Chain: n.chain, Weights: n.setter}); !errors.Is(err, ErrConfig) {
		t.Fatalf("Run without metagraph: %v", err)
	}
}

// errTimeout is a CommitWeights error that says nothing about the
// transaction (chainview's ErrNotIncluded, a dropped connection).
var errTimeout = errors.New("commit_weights transaction 0x… not included in time")

// TestCommitTimeoutKeepsTheSalt: a commit whose sending timed out may
// still land; the validator keeps it (with its salt), finds it on chain
// (subnet_pendingCommits) at once or in a later round, and reveals it in
// the window of the block that really included it.
func TestCommitTimeoutKeepsTheSalt(t *testing.T) {
	valKey := key(t, 100)
	m := startMiner(t, 1, 11, miner.QualityGood, valKey, nil)

	t.Run("landed before the answer was lost", func(t *testing.T) {
		n := newTestNet(t, m)
		n.chain.hp.CommitRevealEnabled = true
		n.setter.commitErr, n.setter.landOnError = errTimeout, true
		n.step() // block 1000: commit, the answer lost, the commit on chain
		p := n.v.Pending()
		if p == nil || p.Unconfirmed || p.First != 1010 || p.Last != 1014 {
			t.Fatalf("pending %+v, want confirmed with window 1010..1014", p)
		}
		n.setter.commitErr = nil
		n.chain.advance(10)
		n.step()
		if n.setter.reveals != 1 || n.v.Pending() != nil {
			t.Fatalf("reveals %d, pending %+v", n.setter.reveals, n.v.Pending())
		}
	})

	t.Run("landed later", func(t *testing.T) {
		n := newTestNet(t, m)
		n.chain.hp.CommitRevealEnabled = true
		n.setter.commitErr = errTimeout
		n.step() // block 1000: the send times out, nothing on chain yet
		p := n.v.Pending()
		if p == nil || !p.Unconfirmed {
			t.Fatalf("pending %+v after a timeout, want it kept, unconfirmed", p)
		}
		if got := testutil.ToFloat64(n.metrics.WeightsFailed.WithLabelValues(FailCommit)); got != 1 {
			t.Errorf("commit_failed = %v", got)
		}
		n.setter.commitErr = nil
		n.start() // the unconfirmed commit survives a restart
		n.chain.advance(3)
		n.setter.commits = append(n.setter.commits, p.Hash)
		n.chain.landCommit(p.Hash) // block 1003: it lands after all
		n.chain.advance(1)
		n.step() // block 1004: found on chain, window from 1003
		q := n.v.Pending()
		if q == nil || q.Unconfirmed || q.CommitBlock != 1003 || q.First != 1013 || q.Last != 1017 {
			t.Fatalf("pending %+v, want confirmed at 1003 with window 1013..1017", q)
		}
		n.chain.advance(12) // block 1016: inside the real window, past the estimate
		n.step()
		if n.setter.reveals != 1 || n.v.Pending() != nil || len(n.setter.commits) != 1 {
			t.Fatalf("reveals %d, pending %+v, commits %d", n.setter.reveals, n.v.Pending(), len(n.setter.commits))
		}
	})

	t.Run("never landed", func(t *testing.T) {
		n := newTestNet(t, m)
		n.chain.hp.CommitRevealEnabled = true
		n.setter.commitErr = errTimeout
		n.step() // block 1000
		n.setter.commitErr = nil
		n.chain.advance(10)
		n.step() // block 1010: not on chain, no reveal attempted
		if n.setter.reveals != 0 || n.v.Pending() == nil {
			t.Fatalf("reveals %d, pending %+v", n.setter.reveals, n.v.Pending())
		}
		n.chain.advance(5)
		n.step() // block 1015: past the estimated window: given up, committed afresh
		if got := testutil.ToFloat64(n.metrics.WeightsFailed.WithLabelValues(FailCommit)); got != 2 {
			t.Errorf("commit_failed = %v, want 2", got)
		}
		p := n.v.Pending()
		if len(n.setter.commits) != 1 || p == nil || p.Unconfirmed || p.Hash != n.setter.commits[0] {
			t.Fatalf("commits %d, pending %+v: want a fresh, confirmed commit", len(n.setter.commits), p)
		}
	})

	t.Run("refused", func(t *testing.T) {
		n := newTestNet(t, m)
		n.chain.hp.CommitRevealEnabled = true
		n.setter.commitErr = fmt.Errorf("commit: %w", &chain.TxError{Code: "weights_rate_limited", Msg: "too soon"})
		n.step()
		if p := n.v.Pending(); p != nil {
			t.Fatalf("pending %+v after a refusal, want none", p)
		}
	})
}
