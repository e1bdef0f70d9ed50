package chainview

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/node"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/types"
)

// testSubnetGenesis makes subnets cheap and fast: a 10 TAO lock, 1 TAO
// registration, tempo 5, weights once per 4 blocks, no freeze window and
// no rate limit on hyperparameter changes or serving.
const testSubnetGenesis = `{
  "network_min_lock": "10000000000", "network_rate_limit": 1, "admin_freeze_window": 0,
  "hyperparam_rate_limit_tempos": 0,
  "subnet_defaults": {"tempo": 5, "weights_rate_limit": 4, "serving_rate_limit": 0, "max_regs_per_block": 8,
    "target_regs_per_interval": 8, "initial_burn": 1000000000, "min_burn": 1000000, "max_burn": 100000000000}
}`

func mustKey(t testing.TB, seed byte) *ecdsa.PrivateKey {
	t.Helper()
	b := make([]byte, 32)
	for i := range b {
		b[i] = seed
	}
	k, err := crypto.ToECDSA(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func addrOf(k *ecdsa.PrivateKey) types.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// startNode starts a one-node chain in-process (100 ms blocks) with the
// subnet module, funding faucet; it stops when the test ends.
func startNode(t *testing.T, faucet types.Address) *rpc.Client {
	t.Helper()
	nodes, _, err := node.InitTestnet(t.TempDir(), node.TestnetOptions{
		Nodes: 1, ChainID: "chainview-test", Params: chain.Params{MinFee: 1000}, Admin: faucet,
		Accounts: []chain.GenesisAccount{{Address: faucet, Balance: chain.U64(1_000_000 * chain.RaoPerTAO)}},
		Modules:  map[string]json.RawMessage{"subnet": json.RawMessage(testSubnetGenesis)},
		Configure: func(_ int, c *node.Config) {
			c.Consensus.BlockTime = node.Duration{Duration: 100 * time.Millisecond}
			c.Consensus.TimeoutPropose = node.Duration{Duration: time.Second}
			c.Metrics.Listen = ""
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := node.LoadConfig(nodes[0].Home)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	n, err := node.New(nodes[0].Home, cfg, log, node.WithModules(subnet.New()))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		n.Stop()
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	cl, err := rpc.Dial("http://" + n.RPCAddr())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := NewView(cl).WaitBlock(ctx, 1, 0); err != nil {
		t.Fatalf("no first block: %v", err)
	}
	return cl
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

func eventAttr(t *testing.T, res Result, typ, key string) string {
	t.Helper()
	for _, e := range res.Receipt.Events {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attrs {
			if a.Key == key {
				return a.Value
			}
		}
	}
	t.Fatalf("receipt of %s has no %s.%s: %+v", res.Hash.Hex(), typ, key, res.Receipt.Events)
	return ""
}

// wantTxError checks err is a *TxError with code, included or not.
func wantTxError(t *testing.T, err error, sentinel *chain.TxError, included bool) *TxError {
	t.Helper()
	var te *TxError
	if !errors.As(err, &te) {
		t.Fatalf("want a *TxError %s, got %v", sentinel.Code, err)
	}
	if !errors.Is(err, sentinel) || te.Code != sentinel.Code {
		t.Fatalf("want code %s, got %v", sentinel.Code, err)
	}
	kind := ErrTxRejected
	if included {
		kind = ErrTxFailed
	}
	if te.Included() != included || !errors.Is(err, kind) {
		t.Fatalf("included = %v (height %d), want %v: %v", te.Included(), te.Height, included, err)
	}
	if te.Message == "" || te.Hash == (types.Hash{}) {
		t.Fatalf("error lacks a message or hash: %+v", te)
	}
	return te
}

// TestAgainstNode drives every adapter against a real node: an owner
// registers a subnet and two hotkeys; the miner hotkey serves an axon and
// shows up in the fetched snapshot; the validator hotkey sets weights,
// hits the rate limit (a failed receipt with retry_at), then commits and
// reveals inside the window the view computes.
func TestAgainstNode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	ownerKey, ownerHot, minerKey, valKey := mustKey(t, 1), mustKey(t, 2), mustKey(t, 3), mustKey(t, 4)
	cl := startNode(t, addrOf(ownerKey))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	view := NewView(cl)
	owner := NewSigner(cl, ownerKey, Config{})
	miner := NewSigner(cl, minerKey, Config{})
	val := NewSigner(cl, valKey, Config{})

	res, err := owner.Submit(ctx, &types.RegisterNetwork{Hotkey: addrOf(ownerHot)})
	if err != nil {
		t.Fatalf("register network: %v", err)
	}
	n, _ := strconv.ParseUint(eventAttr(t, res, "network_registered", "netuid"), 10, 16)
	netuid := uint16(n)
	minerUID, _, err := owner.BurnedRegister(ctx, netuid, miner.Address())
	if err != nil {
		t.Fatalf("register miner: %v", err)
	}
	valUID, reg, err := owner.BurnedRegister(ctx, netuid, val.Address())
	if err != nil {
		t.Fatalf("register validator: %v", err)
	}
	if minerUID == valUID || reg.Height == 0 || reg.Nonce == 0 {
		t.Fatalf("uids %d and %d, registration %+v", minerUID, valUID, reg)
	}
	_, _, err = owner.BurnedRegister(ctx, netuid, val.Address())
	wantTxError(t, err, subnet.ErrHotkeyAlreadyRegistered, true)
	for _, to := range []types.Address{miner.Address(), val.Address()} {
		if _, err := owner.Submit(ctx, &types.Transfer{To: to, Amount: 10 * chain.RaoPerTAO}); err != nil {
			t.Fatalf("fund %s: %v", to, err)
		}
	}
	if _, err := owner.Submit(ctx, &types.AddStake{Hotkey: val.Address(), Amount: 500 * chain.RaoPerTAO}); err != nil {
		t.Fatalf("stake: %v", err)
	}

	t.Run("serve and fetch", func(t *testing.T) {
		if _, err := miner.ServeAxon(ctx, netuid, netip.MustParseAddrPort("127.0.0.1:18091")); err != nil {
			t.Fatalf("serve: %v", err)
		}
		if _, err := miner.ServeAxon(ctx, netuid, netip.MustParseAddrPort("0.0.0.0:18091")); err == nil {
			t.Fatal("serving the unspecified address was accepted")
		}
		snap, err := view.Fetch(netuid)(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.Neurons) != 3 || snap.Block == 0 {
			t.Fatalf("snapshot: %+v", snap)
		}
		byUID := map[uint16]int{}
		for i, nr := range snap.Neurons {
			byUID[nr.UID] = i
		}
		m, v := snap.Neurons[byUID[minerUID]], snap.Neurons[byUID[valUID]]
		if m.Hotkey != miner.Address() || m.Endpoint != "http://127.0.0.1:18091" {
			t.Fatalf("miner in snapshot: %+v", m)
		}
		if v.Hotkey != val.Address() || v.Endpoint != "" || v.Stake < 500*chain.RaoPerTAO {
			t.Fatalf("validator in snapshot: %+v", v)
		}
		nr, err := view.Neuron(ctx, netuid, miner.Address())
		if err != nil || nr.UID != minerUID || nr.Axon == nil || nr.Axon.Port != 18091 {
			t.Fatalf("neuron: %+v %v", nr, err)
		}
		if _, err := view.Neuron(ctx, netuid, addrOf(mustKey(t, 9))); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unregistered hotkey: %v", err)
		}
		if _, err := view.Snapshot(ctx, 99); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing subnet: %v", err)
		}
	})

	t.Run("hyperparameters", func(t *testing.T) {
		hp, err := view.Hyperparameters(ctx, netuid)
		if err != nil {
			t.Fatal(err)
		}
		if hp.WeightsRateLimit != 4 || hp.MinAllowedWeights != 1 || hp.MaxWeightsLimit != 65535 || hp.CommitRevealEnabled || hp.CommitRevealPeriod != 1 || hp.ActivityCutoff != 5000 {
			t.Fatalf("hyperparameters: %+v", hp)
		}
		if _, err := view.Hyperparameters(ctx, 99); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing subnet: %v", err)
		}
	})

	self := []uint16{valUID}
	one := []uint16{1}
	t.Run("set weights and rate limit", func(t *testing.T) {
		res, err := val.Submit(ctx, &types.SetWeights{NetUID: netuid, UIDs: self, Values: one})
		if err != nil {
			t.Fatalf("set weights: %v", err)
		}
		last, err := view.LastUpdate(ctx, netuid, valUID)
		if err != nil || last != res.Height {
			t.Fatalf("last update %d (%v), weights set in block %d", last, err, res.Height)
		}
		err = val.SetWeights(ctx, netuid, self, one, 0)
		te := wantTxError(t, err, subnet.ErrWeightsRateLimited, true)
		if te.RetryAt != res.Height+4 || te.Kind != types.KindSetWeights {
			t.Fatalf("retry at %d, want %d: %v", te.RetryAt, res.Height+4, err)
		}
		if _, err := view.LastUpdate(ctx, netuid, 200); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing uid: %v", err)
		}
		if err := view.WaitBlock(ctx, te.RetryAt, 0); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("commit and reveal", func(t *testing.T) {
		if _, err := owner.Submit(ctx, &types.SetHyperparameter{NetUID: netuid, Name: "commit_reveal_enabled", Value: 1}); err != nil {
			t.Fatalf("enable commit-reveal: %v", err)
		}
		if hp, err := view.Hyperparameters(ctx, netuid); err != nil || !hp.CommitRevealEnabled {
			t.Fatalf("hyperparameters after enabling commit-reveal: %+v %v", hp, err)
		}
		wantTxError(t, val.SetWeights(ctx, netuid, self, one, 0), subnet.ErrCommitRevealEnabled, true)
		salt := []uint16{7, 8, 9}
		commit := types.WeightsCommitHash(val.Address(), netuid, self, one, salt, 0)
		block, err := val.CommitWeights(ctx, netuid, commit)
		if err != nil {
			t.Fatalf("commit: %v", err)
		}
		first, last, err := view.RevealWindow(ctx, netuid, block)
		if err != nil {
			t.Fatal(err)
		}
		pc, err := cl.SubnetPendingCommits(ctx, val.Address(), nil)
		if err != nil || len(pc) != 1 || pc[0].Hash != commit || pc[0].CommitBlock != block {
			t.Fatalf("pending commits: %+v %v", pc, err)
		}
		if vc, err := view.PendingCommits(ctx, netuid, val.Address()); err != nil || len(vc) != 1 || vc[0].Hash != commit || vc[0].Block != block {
			t.Fatalf("view pending commits: %+v %v", vc, err)
		}
		if vc, err := view.PendingCommits(ctx, netuid+1, val.Address()); err != nil || len(vc) != 0 {
			t.Fatalf("view pending commits of another subnet: %+v %v", vc, err)
		}
		if first <= block || first != pc[0].RevealFrom || last != pc[0].RevealUntil || last-first != 5 {
			t.Fatalf("reveal window %d..%d for a commit in block %d; the chain says %d..%d", first, last, block, pc[0].RevealFrom, pc[0].RevealUntil)
		}
		if err := val.RevealWeights(ctx, netuid, self, one, salt, 0); err != nil {
			te := wantTxError(t, err, subnet.ErrRevealTooEarly, true)
			if te.RetryAt != first || te.Height >= first {
				t.Fatalf("too early in block %d, retry at %d; window %d..%d", te.Height, te.RetryAt, first, last)
			}
			if err := view.WaitBlock(ctx, first, 0); err != nil {
				t.Fatal(err)
			}
			if err := val.RevealWeights(ctx, netuid, self, one, salt, 0); err != nil {
				t.Fatalf("reveal in the window: %v", err)
			}
		}
		if pc, err := cl.SubnetPendingCommits(ctx, val.Address(), nil); err != nil || len(pc) != 0 {
			t.Fatalf("pending commits after the reveal: %+v %v", pc, err)
		}
	})

	t.Run("rejected at admission", func(t *testing.T) {
		poor := NewSigner(cl, mustKey(t, 10), Config{})
		_, err := poor.Submit(ctx, &types.Transfer{To: val.Address(), Amount: 1})
		wantTxError(t, err, chain.ErrCannotPayFee, false)
	})

	t.Run("nonce races", func(t *testing.T) {
		key := mustKey(t, 11)
		if _, err := owner.Submit(ctx, &types.Transfer{To: addrOf(key), Amount: chain.RaoPerTAO}); err != nil {
			t.Fatal(err)
		}
		a := NewSigner(cl, key, Config{})
		b := NewSigner(cl, key, Config{NonceRetries: 20}) // another process with the same key
		dest := addrOf(mustKey(t, 12))
		ra, err := a.Submit(ctx, &types.Transfer{To: dest, Amount: 1})
		if err != nil || ra.Nonce != 0 {
			t.Fatalf("first transfer: %+v %v", ra, err)
		}
		if rb, err := b.Submit(ctx, &types.Transfer{To: dest, Amount: 2}); err != nil || rb.Nonce != 1 {
			t.Fatalf("transfer by the second signer: %+v %v", rb, err)
		}
		// a's cache says 1: the node refuses it with bad_nonce, a rereads.
		if ra, err := a.Submit(ctx, &types.Transfer{To: dest, Amount: 3}); err != nil || ra.Nonce != 2 {
			t.Fatalf("transfer with a stale cache: %+v %v", ra, err)
		}
		// Both send at once: several transactions per block from a, while
		// b keeps losing its nonce to them until they land.
		a.cfg.NonceRetries = 20
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Go(func() {
				if _, err := s.Submit(ctx, &types.Transfer{To: dest, Amount: uint64(10 + i)}); err != nil {
					errs <- fmt.Errorf("transfer %d: %w", i, err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		acc, err := cl.Account(ctx, addrOf(key), nil)
		if err != nil || acc.Nonce != 11 {
			t.Fatalf("account after 11 transfers: %+v %v", acc, err)
		}
		got, err := cl.Account(ctx, dest, nil)
		want := uint64(1 + 2 + 3 + 10 + 11 + 12 + 13 + 14 + 15 + 16 + 17)
		if err != nil || uint64(got.Balance) != want {
			t.Fatalf("destination has %d rao, want %d (%v)", got.Balance, want, err)
		}
	})
}
