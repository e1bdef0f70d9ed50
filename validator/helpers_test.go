package validator

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/yumachain/yuma/axon"
	"github.com/yumachain/yuma/miner"
	"github.com/yumachain/yuma/types"
)

func key(t testing.TB, seed byte) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.ToECDSA(bytes.Repeat([]byte{seed}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func addr(k *ecdsa.PrivateKey) types.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// fakeChain is the chain state weight setting reads, plus the behaviour of
// the weights calls (fakeSetter) on it.
type fakeChain struct {
	mu    sync.Mutex
	block uint64
	hp    Hyperparameters
	last  map[uint16]uint64
	err   error
	// A commit at block b may be revealed in [b+revealDelay, b+revealDelay+revealLen-1].
	revealDelay, revealLen uint64
	// commits are the validator's commits on chain (subnet_pendingCommits).
	commits []OnChainCommit
}

func (c *fakeChain) PendingCommits(context.Context, uint16, types.Address) ([]OnChainCommit, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.commits), c.err
}

func (c *fakeChain) landCommit(h types.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.commits = append(c.commits, OnChainCommit{Hash: h, Block: c.block})
}

func (c *fakeChain) Block(context.Context) (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.block, c.err
}

func (c *fakeChain) Hyperparameters(context.Context, uint16) (Hyperparameters, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hp, c.err
}

func (c *fakeChain) LastUpdate(_ context.Context, _, uid uint16) (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last[uid], c.err
}

func (c *fakeChain) RevealWindow(_ context.Context, _ uint16, b uint64) (uint64, uint64, error) {
	return b + c.revealDelay, b + c.revealDelay + c.revealLen - 1, nil
}

func (c *fakeChain) advance(n uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.block += n
}

// fakeSetter records weights calls and applies them to the chain as the
// subnet module would: sets and reveals update last_update; a reveal must
// match a commit made by the same hotkey.
type fakeSetter struct {
	mu     sync.Mutex
	chain  *fakeChain
	hotkey types.Address
	uid    uint16
	err    error
	// commitErr, if set, is what CommitWeights returns instead (nothing
	// lands on chain).
	commitErr   error
	landOnError bool
	sets        [][2][]uint16
	commits     []types.Hash
	reveals     int
}

func (s *fakeSetter) SetWeights(_ context.Context, netuid uint16, uids, values []uint16, _ uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.sets = append(s.sets, [2][]uint16{slices.Clone(uids), slices.Clone(values)})
	s.chain.mu.Lock()
	s.chain.last[s.uid] = s.chain.block
	s.chain.mu.Unlock()
	return nil
}

func (s *fakeSetter) CommitWeights(_ context.Context, _ uint16, h types.Hash) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, s.err
	}
	if s.commitErr != nil {
		// The answer is lost; the commit lands only with landOnError.
		if s.landOnError {
			s.commits = append(s.commits, h)
			s.chain.landCommit(h)
		}
		return 0, s.commitErr
	}
	s.commits = append(s.commits, h)
	s.chain.landCommit(h)
	b, _ := s.chain.Block(context.Background())
	return b, nil
}

func (s *fakeSetter) RevealWeights(_ context.Context, netuid uint16, uids, values, salt []uint16, vk uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	h := types.WeightsCommitHash(s.hotkey, netuid, uids, values, salt, vk)
	if !slices.Contains(s.commits, h) {
		return errors.New("reveal matches no commit")
	}
	s.reveals++
	s.sets = append(s.sets, [2][]uint16{slices.Clone(uids), slices.Clone(values)})
	s.chain.mu.Lock()
	s.chain.last[s.uid] = s.chain.block
	s.chain.mu.Unlock()
	return nil
}

func (s *fakeSetter) lastSet() map[uint16]uint16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.sets) == 0 {
		return nil
	}
	w := s.sets[len(s.sets)-1]
	out := map[uint16]uint16{}
	for i, u := range w[0] {
		out[u] = w[1][i]
	}
	return out
}

// net is a subnet with real miners on loopback and one validator.
type testNet struct {
	t       *testing.T
	valKey  *ecdsa.PrivateKey
	mg      *axon.Metagraph
	chain   *fakeChain
	setter  *fakeSetter
	metrics *Metrics
	dir     string
	v       *Validator
	clock   func() time.Time
}

// startMiner runs a real miner with quality q and returns its neuron.
func startMiner(t *testing.T, uid uint16, seed byte, quality string, valKey *ecdsa.PrivateKey, clock func() time.Time) axon.NeuronInfo {
	t.Helper()
	k := key(t, seed)
	cfg := miner.TestConfig(k, t.TempDir())
	cfg.Backend.Quality = quality
	cfg.Backend.Seed = uint64(seed)
	mg, err := axon.NewMetagraph(axon.NeuronInfo{UID: 0, Hotkey: addr(valKey), Stake: 1e12, ValidatorPermit: true})
	if err != nil {
		t.Fatal(err)
	}
	s, err := miner.New(cfg, miner.Deps{Metagraph: mg, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close(); s.Close() })
	return axon.NeuronInfo{UID: uid, Hotkey: addr(k), Endpoint: srv.URL}
}

func newTestNet(t *testing.T, neurons ...axon.NeuronInfo) *testNet {
	t.Helper()
	n := &testNet{t: t, valKey: key(t, 100), dir: t.TempDir(), clock: time.Now}
	self := axon.NeuronInfo{UID: 0, Hotkey: addr(n.valKey), Stake: 1e12, ValidatorPermit: true}
	var err error
	if n.mg, err = axon.NewMetagraph(append([]axon.NeuronInfo{self}, neurons...)...); err != nil {
		t.Fatal(err)
	}
	n.chain = &fakeChain{block: 1000, last: map[uint16]uint64{}, revealDelay: 10, revealLen: 5,
		hp: Hyperparameters{WeightsRateLimit: 0, MinAllowedWeights: 1, MaxWeightsLimit: 65535, ActivityCutoff: 5000}}
	n.setter = &fakeSetter{chain: n.chain, hotkey: self.Hotkey, uid: 0}
	n.start()
	return n
}

// start (re)creates the validator on the same data dir.
func (n *testNet) start() {
	n.t.Helper()
	var err error
	if n.metrics, err = NewMetrics(prometheus.NewRegistry()); err != nil {
		n.t.Fatal(err)
	}
	cfg := TestConfig(n.valKey, n.dir)
	n.v, err = New(cfg, Deps{
		Metagraph: n.mg, Chain: n.chain, Weights: n.setter, Metrics: n.metrics, Clock: n.clock,
		Rand: rand.New(rand.NewPCG(1, 2)), Entropy: bytes.NewReader(bytes.Repeat([]byte{0xab}, 1024)),
	})
	if err != nil {
		n.t.Fatal(err)
	}
}

func (n *testNet) step() {
	n.t.Helper()
	if err := n.v.Step(context.Background()); err != nil {
		n.t.Fatal(err)
	}
}

func describe(w map[uint16]uint16) string { return fmt.Sprint(w) }
