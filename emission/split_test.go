package emission

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

type splitsFile struct {
	Weights []struct {
		Test, Source       string
		Total              u64
		Weights            []u64
		Reference          []u64
		ReferenceTruncates bool `json:"reference_truncates"`
		Epsilon            u64
	}
	OwnerCut []struct {
		Test, Source string
		Amount       u64
		OwnerCut     uint16 `json:"owner_cut"`
		Owner        u64
	} `json:"owner_cut"`
	Epoch []struct {
		Test, Source string
		Pot          u64
		OwnerCut     uint16 `json:"owner_cut"`
		Groups       []struct {
			Count                int
			Incentive, Dividends uint16
			Emission             u64
		}
		ReferenceTruncates bool `json:"reference_truncates"`
	}
	Constants []struct {
		Test, Source string
		OwnerCut     uint16 `json:"owner_cut"`
	}
}

func sum(v []uint64) uint64 {
	var s uint64
	for _, x := range v {
		s += x
	}
	return s
}

// checkNearReference: ours must be the reference's truncated value or one
// more (truncates) or within epsilon of it.
func checkNearReference(t *testing.T, name string, i int, got, ref, eps uint64, truncates bool) {
	t.Helper()
	if truncates {
		if got < ref || got > ref+1 {
			t.Errorf("%s: part %d = %d, reference truncates to %d: want %d or %d", name, i, got, ref, ref, ref+1)
		}
		return
	}
	if max(got, ref)-min(got, ref) > eps {
		t.Errorf("%s: part %d = %d, reference %d +- %d", name, i, got, ref, eps)
	}
}

// TestReferenceSplitVectors runs testdata/splits.json, transcribed from
// subtensor's tests.
func TestReferenceSplitVectors(t *testing.T) {
	var f splitsFile
	readJSON(t, "splits.json", &f)
	if len(f.Weights) == 0 || len(f.OwnerCut) == 0 || len(f.Epoch) == 0 || len(f.Constants) == 0 {
		t.Fatal("testdata/splits.json looks truncated")
	}
	for _, c := range f.Weights {
		w := make([]uint64, len(c.Weights))
		for i, x := range c.Weights {
			w[i] = uint64(x)
		}
		got := SplitByWeights(uint64(c.Total), w)
		if sum(got) != uint64(c.Total) {
			t.Errorf("%s: parts %v sum to %d, want %d", c.Test, got, sum(got), c.Total)
		}
		for i := range got {
			checkNearReference(t, c.Test, i, got[i], uint64(c.Reference[i]), uint64(c.Epsilon), c.ReferenceTruncates)
		}
	}
	for _, c := range f.OwnerCut {
		owner, miners, validators := SplitSubnetCut(uint64(c.Amount), c.OwnerCut)
		if owner != uint64(c.Owner) {
			t.Errorf("%s: owner cut %d of %d = %d, want %d", c.Test, c.OwnerCut, c.Amount, owner, c.Owner)
		}
		if owner+miners+validators != uint64(c.Amount) {
			t.Errorf("%s: split %d+%d+%d != %d", c.Test, owner, miners, validators, c.Amount)
		}
	}
	for _, c := range f.Epoch {
		var incentive, dividends []uint16
		var ref []uint64
		for _, g := range c.Groups {
			for range g.Count {
				incentive = append(incentive, g.Incentive)
				dividends = append(dividends, g.Dividends)
				ref = append(ref, uint64(g.Emission))
			}
		}
		owner, miners, validators := SplitSubnetCut(uint64(c.Pot), c.OwnerCut)
		server, validator, undistributed := EpochEmission(miners, validators, incentive, dividends)
		if undistributed != 0 {
			t.Errorf("%s: %d undistributed", c.Test, undistributed)
		}
		if owner+sum(server)+sum(validator) != uint64(c.Pot) {
			t.Errorf("%s: owner %d + server %d + validator %d != pot %d", c.Test, owner, sum(server), sum(validator), c.Pot)
		}
		for i := range ref {
			checkNearReference(t, c.Test, i, server[i]+validator[i], ref[i], 0, c.ReferenceTruncates)
		}
	}
	for _, c := range f.Constants {
		if DefaultOwnerCut != c.OwnerCut {
			t.Errorf("%s (%s): DefaultOwnerCut = %d, want %d", c.Test, c.Source, DefaultOwnerCut, c.OwnerCut)
		}
	}
}

// TestSplitByWeightsRule checks small cases worked out by hand from the
// documented rule (floor, then leftover rao to the largest remainders,
// ties to the lowest index).
func TestSplitByWeightsRule(t *testing.T) {
	for _, tc := range []struct {
		total   uint64
		weights []uint64
		want    []uint64
	}{
		// 10/3 = 3 r1 each: one leftover rao, equal remainders -> index 0.
		{10, []uint64{1, 1, 1}, []uint64{4, 3, 3}},
		// 11/3: two leftover rao -> indexes 0 and 1.
		{11, []uint64{1, 1, 1}, []uint64{4, 4, 3}},
		// 7*{1,2,4}/7 is exact.
		{7, []uint64{1, 2, 4}, []uint64{1, 2, 4}},
		// 10*{1,2}/3: floors 3 (r1) and 6 (r2): the leftover goes to index 1.
		{10, []uint64{1, 2}, []uint64{3, 7}},
		// Zero weight gets nothing even with leftovers around it.
		{5, []uint64{0, 1, 0, 1}, []uint64{0, 3, 0, 2}},
		// All zero, or no weights: nothing distributed.
		{100, []uint64{0, 0}, []uint64{0, 0}},
		{100, nil, []uint64{}},
		// Nothing to split.
		{0, []uint64{3, 4}, []uint64{0, 0}},
		// Weights summing beyond 2^64 (128-bit divisor): halves.
		{9, []uint64{1 << 63, 1 << 63}, []uint64{5, 4}},
		{1<<64 - 1, []uint64{1<<64 - 1, 1<<64 - 1, 1<<64 - 1}, []uint64{6148914691236517205, 6148914691236517205, 6148914691236517205}},
	} {
		got := SplitByWeights(tc.total, tc.weights)
		if !slices.Equal(got, tc.want) {
			t.Errorf("SplitByWeights(%d, %v) = %v, want %v", tc.total, tc.weights, got, tc.want)
		}
	}
}

// naiveSplit is an independent largest-remainder split with math/big.
func naiveSplit(total uint64, weights []uint64) []uint64 {
	W := new(big.Int)
	for _, w := range weights {
		W.Add(W, new(big.Int).SetUint64(w))
	}
	out := make([]uint64, len(weights))
	if W.Sign() == 0 {
		return out
	}
	type rem struct {
		i int
		r *big.Int
	}
	var rems []rem
	given := new(big.Int)
	for i, w := range weights {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(new(big.Int).SetUint64(total), new(big.Int).SetUint64(w)), W, new(big.Int))
		out[i] = q.Uint64()
		given.Add(given, q)
		rems = append(rems, rem{i, r})
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r.Cmp(rems[b].r) > 0 })
	left := new(big.Int).Sub(new(big.Int).SetUint64(total), given).Uint64()
	for _, r := range rems[:left] {
		out[r.i]++
	}
	return out
}

func randomWeights(r *rand.Rand) []uint64 {
	n := r.IntN(12)
	w := make([]uint64, n)
	for i := range w {
		switch r.IntN(5) {
		case 0: // zero
		case 1:
			w[i] = r.Uint64() // huge: the sum overflows 64 bits
		case 2:
			w[i] = uint64(r.IntN(65536))
		default:
			w[i] = uint64(r.IntN(10))
		}
	}
	return w
}

func randomTotal(r *rand.Rand) uint64 {
	switch r.IntN(4) {
	case 0:
		return r.Uint64()
	case 1:
		return uint64(r.IntN(100))
	default:
		return r.Uint64N(MaxSupply)
	}
}

// TestSplitByWeightsProperties: random inputs; the parts sum exactly to the
// total (when any weight is nonzero), zero weights get zero, and the
// result equals an independent math/big largest-remainder split.
func TestSplitByWeightsProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for range 20000 {
		total, w := randomTotal(r), randomWeights(r)
		got := SplitByWeights(total, w)
		if len(got) != len(w) {
			t.Fatalf("len %d, want %d", len(got), len(w))
		}
		want := naiveSplit(total, w)
		if !slices.Equal(got, want) {
			t.Fatalf("SplitByWeights(%d, %v) = %v, naive %v", total, w, got, want)
		}
		anyNonzero := slices.ContainsFunc(w, func(x uint64) bool { return x != 0 })
		var s big.Int
		for i, p := range got {
			s.Add(&s, new(big.Int).SetUint64(p))
			if w[i] == 0 && p != 0 {
				t.Fatalf("zero weight %d got %d", i, p)
			}
		}
		wantSum := new(big.Int)
		if anyNonzero {
			wantSum.SetUint64(total)
		}
		if s.Cmp(wantSum) != 0 {
			t.Fatalf("SplitByWeights(%d, %v) sums to %v, want %v", total, w, &s, wantSum)
		}
	}
}

// TestDivmodMatchesBig checks the 128-bit division against math/big,
// including divisors wider than 64 bits: n = q*d + r with random d, a
// random 64-bit q and a random r < d.
func TestDivmodMatchesBig(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	two128 := new(big.Int).Lsh(big.NewInt(1), 128)
	checked := 0
	for range 100000 {
		d := u128{r.Uint64() >> r.UintN(64), r.Uint64() >> r.UintN(64)}
		if r.IntN(3) == 0 {
			d.hi = 0
		}
		if d.isZero() {
			continue
		}
		bd := toBig(d)
		q := new(big.Int).SetUint64(r.Uint64() >> r.UintN(64))
		rm := new(big.Int).Mod(toBig(u128{r.Uint64(), r.Uint64()}), bd)
		bn := new(big.Int).Add(new(big.Int).Mul(q, bd), rm)
		if bn.Cmp(two128) >= 0 {
			continue
		}
		n := u128{new(big.Int).Rsh(bn, 64).Uint64(), new(big.Int).And(bn, new(big.Int).SetUint64(1<<64-1)).Uint64()}
		gq, gr := divmod(n, d)
		if gq != q.Uint64() || toBig(gr).Cmp(rm) != 0 {
			t.Fatalf("divmod(%v, %v) = %d r %v, want %v r %v", bn, bd, gq, toBig(gr), q, rm)
		}
		checked++
	}
	if checked < 50000 {
		t.Fatalf("only %d cases checked", checked)
	}
}

func toBig(x u128) *big.Int {
	b := new(big.Int).SetUint64(x.hi)
	b.Lsh(b, 64)
	return b.Add(b, new(big.Int).SetUint64(x.lo))
}

// TestSplitSubnetProperties: owner = floor(amount*cut/65535) (math/big),
// the three parts sum to the amount, and validators get the odd rao.
func TestSplitSubnetProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 17))
	for i := range 20000 {
		amount := randomTotal(r)
		cut := uint16(r.IntN(65536))
		if i%4 == 0 {
			cut = DefaultOwnerCut
		}
		owner, miners, validators := SplitSubnetCut(amount, cut)
		want := new(big.Int).Mul(new(big.Int).SetUint64(amount), big.NewInt(int64(cut)))
		want.Quo(want, big.NewInt(65535))
		if owner != want.Uint64() {
			t.Fatalf("owner of %d at cut %d = %d, want %v", amount, cut, owner, want)
		}
		if owner+miners+validators != amount || owner > amount {
			t.Fatalf("SplitSubnetCut(%d, %d) = %d, %d, %d: does not sum", amount, cut, owner, miners, validators)
		}
		if validators < miners || validators-miners > 1 {
			t.Fatalf("SplitSubnetCut(%d, %d): miners %d, validators %d", amount, cut, miners, validators)
		}
	}
	if o, m, v := SplitSubnet(1_000_000_000); o != 179_995_422 || o+m+v != 1_000_000_000 {
		// floor(1e9 * 11796 / 65535) = floor(179995422.29...) by hand.
		t.Fatalf("SplitSubnet(1 TAO) = %d, %d, %d", o, m, v)
	}
}

// TestEpochEmissionProperties: every rao of both pots is either paid out
// or reported undistributed.
func TestEpochEmissionProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 23))
	for range 5000 {
		mp, vp := r.Uint64N(MaxSupply), r.Uint64N(MaxSupply)
		inc := make([]uint16, r.IntN(20))
		div := make([]uint16, r.IntN(20))
		for i := range inc {
			if r.IntN(3) != 0 {
				inc[i] = uint16(r.IntN(65536))
			}
		}
		for i := range div {
			if r.IntN(3) != 0 {
				div[i] = uint16(r.IntN(65536))
			}
		}
		s, v, u := EpochEmission(mp, vp, inc, div)
		n := max(len(inc), len(div))
		if len(s) != n || len(v) != n {
			t.Fatalf("lengths %d, %d, want %d", len(s), len(v), n)
		}
		if sum(s)+sum(v)+u != mp+vp {
			t.Fatalf("server %d + validator %d + undistributed %d != %d", sum(s), sum(v), u, mp+vp)
		}
		for i := range s {
			if (i >= len(inc) || inc[i] == 0) && s[i] != 0 {
				t.Fatalf("uid %d has no incentive but gets %d", i, s[i])
			}
			if (i >= len(div) || div[i] == 0) && v[i] != 0 {
				t.Fatalf("uid %d has no dividends but gets %d", i, v[i])
			}
		}
	}
	if _, _, u := EpochEmission(10, 20, []uint16{0, 0}, []uint16{1}); u != 10 {
		t.Fatalf("all-zero incentive: undistributed %d, want the miners' pot 10", u)
	}
}
