package subnet

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

func benchAddr(kind byte, netuid, i uint16) types.Address {
	var a types.Address
	a[0] = kind
	binary.BigEndian.PutUint16(a[1:], netuid)
	binary.BigEndian.PutUint16(a[3:], i)
	return a
}

// epochBenchState writes subnets 1..subnets with n UIDs each, validators
// staked validators (each with its owner's stake and two nominators) that
// weight every other UID, and tempos chosen so that every subnet runs its
// epoch at block at. Root has no validators (equal split). The state is
// returned as an orderedStore after one warm-up epoch.
func epochBenchState(tb testing.TB, subnets, n, validators int, at uint64) (*env, *orderedStore) {
	e := newEnv(tb, func(p *Params) {
		p.SubnetLimit = uint16(subnets)
		p.SubnetDefaults.MaxAllowedUIDs = uint16(n)
		p.SubnetDefaults.MaxAllowedValidators = uint16(validators)
		p.SubnetDefaults.ActivityCutoff = 5000
	})
	st := store{r: e.st, w: e.st}
	p, _ := st.params()
	rng := rand.New(rand.NewPCG(1, 2))
	for s := 1; s <= subnets; s++ {
		netuid := uint16(s)
		hp := p.SubnetDefaults
		// (at + netuid + 1) mod (tempo + 1) == tempo  <=>  tempo + 1 divides at + netuid + 2.
		hp.Tempo = uint16(at + uint64(netuid) + 1)
		sn := Subnet{Owner: benchAddr(1, netuid, 0), OwnerHotkey: benchAddr(2, netuid, 0), RegisteredAt: 1, Lock: 0, N: uint16(n), Burn: tao, LastAdjustment: at}
		for uid := range n {
			hk := benchAddr(2, netuid, uint16(uid))
			ck := benchAddr(1, netuid, uint16(uid))
			rec := Hotkey{Owner: ck, Take: p.DefaultTake}
			if uid < validators {
				for j, amt := range []uint64{uint64(rng.IntN(1000)+100) * tao, 10 * tao, 5 * tao} {
					staker := ck
					if j > 0 {
						staker = benchAddr(3, netuid, uint16(uid*2+j))
					}
					if err := addStakeTo(st, hk, staker, &rec, amt); err != nil {
						tb.Fatal(err)
					}
				}
				var row []entry
				for j := range n {
					if j != uid {
						row = append(row, entry{UID: uint16(j), Value: uint16(rng.IntN(65535) + 1)})
					}
				}
				if err := st.putRow(weightsKey(netuid, uint16(uid)), row); err != nil {
					tb.Fatal(err)
				}
			} else if err := st.put(hotkeyKey(hk), &rec); err != nil {
				tb.Fatal(err)
			}
			nr := Neuron{Hotkey: hk, RegisteredAt: 1, LastUpdate: at - 10, Active: true, ValidatorPermit: uid < validators}
			if err := st.put(neuronKey(netuid, uint16(uid)), &nr); err != nil {
				tb.Fatal(err)
			}
			if err := st.put(uidKey(netuid, hk), uint16(uid)); err != nil {
				tb.Fatal(err)
			}
		}
		if err := st.put(subnetKey(netuid), &sn); err != nil {
			tb.Fatal(err)
		}
		if err := st.put(hyperKey(netuid), &hp); err != nil {
			tb.Fatal(err)
		}
	}
	// The stake above was written directly: mint it.
	held, err := New().Held(e.st)
	if err != nil {
		tb.Fatal(err)
	}
	if err := chain.NewBank(e.st).Mint(held); err != nil {
		tb.Fatal(err)
	}
	// Warm up: one epoch builds bonds and permits as a live chain has them.
	os := newOrderedStore(e.st)
	if _, err := e.rt.ApplyBlock(os, chain.Header{ChainID: testChain, Height: at}, nil, nil); err != nil {
		tb.Fatal(err)
	}
	os.journal = nil
	e.height = at
	return e, os
}

// orderedStore is a chain.Store with sorted keys, so prefix iteration
// costs what it visits (chaintest.MemStore sorts every key of the store on
// each Iterate, which would dominate the benchmark). Same semantics.
type orderedStore struct {
	kv      map[string][]byte
	keys    []string // sorted
	journal []orderedUndo
}

type orderedUndo struct {
	key     string
	prev    []byte
	existed bool
}

func newOrderedStore(from chain.Reader) *orderedStore {
	s := &orderedStore{kv: map[string][]byte{}}
	from.Iterate(nil, func(k, v []byte) bool {
		s.kv[string(k)] = bytes.Clone(v)
		s.keys = append(s.keys, string(k))
		return true
	})
	return s
}

func (s *orderedStore) Get(k []byte) ([]byte, bool, error) {
	v, ok := s.kv[string(k)]
	return bytes.Clone(v), ok, nil
}

func (s *orderedStore) Iterate(prefix []byte, fn func(k, v []byte) bool) error {
	p := string(prefix)
	i, _ := slices.BinarySearch(s.keys, p)
	for ; i < len(s.keys) && strings.HasPrefix(s.keys[i], p); i++ {
		if !fn([]byte(s.keys[i]), s.kv[s.keys[i]]) {
			break
		}
	}
	return nil
}

func (s *orderedStore) put(k string, v []byte, exists bool) {
	_, had := s.kv[k]
	switch {
	case exists && !had:
		i, _ := slices.BinarySearch(s.keys, k)
		s.keys = slices.Insert(s.keys, i, k)
	case !exists && had:
		i, _ := slices.BinarySearch(s.keys, k)
		s.keys = slices.Delete(s.keys, i, i+1)
	}
	if exists {
		s.kv[k] = v
	} else {
		delete(s.kv, k)
	}
}

func (s *orderedStore) Set(k, v []byte) error {
	prev, ok := s.kv[string(k)]
	s.journal = append(s.journal, orderedUndo{string(k), prev, ok})
	s.put(string(k), bytes.Clone(v), true)
	return nil
}

func (s *orderedStore) Delete(k []byte) error {
	prev, ok := s.kv[string(k)]
	s.journal = append(s.journal, orderedUndo{string(k), prev, ok})
	s.put(string(k), nil, false)
	return nil
}

func (s *orderedStore) Snapshot() int { return len(s.journal) }

func (s *orderedStore) RevertToSnapshot(id int) {
	for i := len(s.journal) - 1; i >= id; i-- {
		u := s.journal[i]
		s.put(u.key, u.prev, u.existed)
	}
	s.journal = s.journal[:id]
}

// BenchmarkEpochBlock32x256 is the cost of one block in which 32 subnets of
// 256 UIDs (64 validators weighting every other UID, each validator with
// its owner's stake and two nominators) run their epochs and pay out,
// through Runtime.ApplyBlock on an ordered in-memory store.
func BenchmarkEpochBlock32x256(b *testing.B) {
	const at = 1000
	e, st := epochBenchState(b, 32, 256, 64, at)
	epochs := 0
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		snap := st.Snapshot()
		res, err := e.rt.ApplyBlock(st, chain.Header{ChainID: testChain, Height: at}, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		epochs = 0
		for _, ev := range res.Events {
			if ev.Type == "subnet_epoch" {
				epochs++
			}
		}
		st.RevertToSnapshot(snap)
		b.StartTimer()
	}
	if epochs != 32 {
		b.Fatalf("%d epochs ran, want 32", epochs)
	}
}

// The benchmark's state must be a valid chain state.
func TestEpochBenchStateIsValid(t *testing.T) {
	e, os := epochBenchState(t, 3, 16, 4, 1000)
	if err := e.rt.CheckInvariants(e.st); err != nil {
		t.Fatal(err)
	}
	// The ordered store behaves as the MemStore: the same two blocks on
	// both (the warm-up and one more).
	if _, err := e.rt.ApplyBlock(os, chain.Header{ChainID: testChain, Height: 1000}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rt.ApplyBlock(e.st, chain.Header{ChainID: testChain, Height: 1000}, nil, nil); err != nil {
		t.Fatal(err)
	}
	res, err := e.rt.ApplyBlock(e.st, chain.Header{ChainID: testChain, Height: 1000}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.rt.CheckInvariants(e.st); err != nil {
		t.Fatal(err)
	}
	var a, c strings.Builder
	e.st.Iterate(nil, func(k, v []byte) bool { a.Write(k); a.Write(v); return true })
	os.Iterate(nil, func(k, v []byte) bool { c.Write(k); c.Write(v); return true })
	if a.String() != c.String() {
		t.Fatal("ordered store and MemStore disagree")
	}
	epochs := 0
	for _, ev := range res.Events {
		if ev.Type == "subnet_epoch" {
			epochs++
		}
	}
	if epochs != 3 {
		t.Fatalf("%d epochs", epochs)
	}
	checkStructure(t, e)
	if e.neuron(1, 5).Incentive == 0 || e.neuron(1, 1).Dividends == 0 {
		t.Fatalf("epoch paid nothing: %+v %+v", e.neuron(1, 5), e.neuron(1, 1))
	}
}
