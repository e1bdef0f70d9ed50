package consensus

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// randomInput draws an epoch input of n UIDs that exercises every branch:
// zero and huge stakes, inactive and outdated UIDs, explicit zero weights,
// self-weights, all hyperparameter switches and the optional inputs.
func randomInput(r *rand.Rand, n int) *Input {
	in := &Input{
		Block: uint64(r.IntN(20000)),
		Tempo: uint64(r.IntN(400)),
		Params: Hyperparameters{
			Kappa:                 pickU16(r, 32767),
			Rho:                   uint16(r.IntN(40)),
			BondsMovingAverage:    []uint64{0, 900_000, 975_000, 1_000_000, uint64(r.IntN(1_000_001))}[r.IntN(5)],
			BondsPenalty:          pickU16(r, 65535),
			ActivityCutoff:        uint64(r.IntN(10000)),
			MaxAllowedValidators:  uint16(r.IntN(n + 3)),
			ImmunityPeriod:        4096,
			LiquidAlphaEnabled:    r.IntN(2) == 0,
			AlphaLow:              pickU16(r, 45875),
			AlphaHigh:             pickU16(r, 58982),
			Yuma3Enabled:          r.IntN(2) == 0,
			CommitRevealEnabled:   r.IntN(3) == 0,
			AlphaSigmoidSteepness: []int16{1000, 0, -50, 32767, int16(r.Uint32())}[r.IntN(5)],
		},
		Emission: []uint64{1_000_000_000, 0, math.MaxUint64, r.Uint64() >> r.UintN(64)}[r.IntN(4)],
	}
	budget := uint64(math.MaxInt64)
	for i := 0; i < n; i++ {
		var s uint64
		switch r.IntN(5) {
		case 0:
			s = 0
		case 1:
			s = uint64(r.IntN(10))
		case 2:
			s = r.Uint64() >> (10 + r.UintN(40))
		default:
			s = r.Uint64() >> 24
		}
		s = min(s, budget)
		budget -= s
		in.Stake = append(in.Stake, s)
		in.LastUpdate = append(in.LastUpdate, uint64(r.IntN(int(in.Block)+2)))
		in.BlockAtRegistration = append(in.BlockAtRegistration, uint64(r.IntN(int(in.Block)+2)))
		in.ValidatorPermit = append(in.ValidatorPermit, r.IntN(3) != 0)
		in.Weights = append(in.Weights, randomRow(r, n, r.IntN(4) == 0))
		in.Bonds = append(in.Bonds, randomRow(r, n, false))
	}
	if r.IntN(3) == 0 {
		in.StakeThreshold = uint64(r.IntN(1000))
	}
	if r.IntN(3) == 0 {
		in.LastEpochBlock = uint64(r.IntN(int(in.Block) + 2))
	}
	if r.IntN(2) == 0 {
		in.CommitBlocks = make([]uint64, n)
		for i := range in.CommitBlocks {
			in.CommitBlocks[i] = []uint64{math.MaxUint64, uint64(r.IntN(int(in.Block) + 2))}[r.IntN(2)]
		}
	}
	if n > 0 && r.IntN(3) == 0 {
		o := uint16(r.IntN(n))
		in.OwnerUID = &o
	}
	return in
}

func pickU16(r *rand.Rand, typical uint16) uint16 {
	return []uint16{0, typical, 65535, uint16(r.Uint32())}[r.IntN(4)]
}

// randomRow is a sorted sparse row; dense rows are fully populated.
func randomRow(r *rand.Rand, n int, dense bool) []Entry {
	var row []Entry
	p := r.IntN(4) // density class
	for j := 0; j < n; j++ {
		if !dense && r.IntN(4) > p {
			continue
		}
		v := uint16(r.Uint32())
		switch r.IntN(6) {
		case 0:
			v = 0
		case 1:
			v = 65535
		}
		row = append(row, Entry{UID: uint16(j), Value: v})
	}
	return row
}

// checkInvariants asserts the output properties that hold for every input.
func checkInvariants(t *testing.T, in *Input, out *Output) {
	t.Helper()
	n := len(in.Stake)
	for _, f := range []struct {
		name string
		v    []uint16
	}{{"incentive", out.Incentive}, {"dividends", out.Dividends}} {
		sum := 0
		for _, x := range f.v {
			sum += int(x)
		}
		// Normalised to 1 (or all zero); each value floors, losing < 1 each,
		// and the normalisation itself loses at most 2^-32 per element.
		if sum != 0 && (sum > 65535 || 65535-sum > n) {
			t.Fatalf("%s sums to %d (n = %d)", f.name, sum, n)
		}
	}
	var total uint64
	for i := range out.ServerEmission {
		total += out.ServerEmission[i]
		if total < out.ServerEmission[i] {
			t.Fatal("emission sum overflows")
		}
		total += out.ValidatorEmission[i]
		if total < out.ValidatorEmission[i] {
			t.Fatal("emission sum overflows")
		}
	}
	if total > in.Emission {
		t.Fatalf("server + validator emission %d exceeds %d", total, in.Emission)
	}
	for i, row := range out.Bonds {
		if len(row) > 0 && !out.ValidatorPermit[i] {
			t.Fatalf("uid %d has bonds but no permit", i)
		}
		for k, e := range row {
			if e.Value == 0 || int(e.UID) >= n || (k > 0 && e.UID <= row[k-1].UID) {
				t.Fatalf("bad bond row %d: %v", i, row)
			}
		}
	}
	for _, l := range []int{len(out.Active), len(out.ValidatorPermit), len(out.Rank), len(out.Trust),
		len(out.Consensus), len(out.Incentive), len(out.Dividends), len(out.ValidatorTrust),
		len(out.PruningScores), len(out.Bonds), len(out.ServerEmission), len(out.ValidatorEmission), len(out.Emission)} {
		if l != n {
			t.Fatalf("output slice of length %d, n = %d", l, n)
		}
	}
}

// TestSparseDenseAgree: Epoch, EpochDense and the step-by-step sparse
// epochUnfused give identical outputs.
func TestSparseDenseAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	iters := 3000
	if testing.Short() {
		iters = 300
	}
	for it := range iters {
		n := r.IntN(18)
		in := randomInput(r, n)
		sparse, err := Epoch(in)
		if err != nil {
			t.Fatalf("iter %d: %v", it, err)
		}
		dense, err := EpochDense(in)
		if err != nil {
			t.Fatalf("iter %d: dense: %v", it, err)
		}
		if !reflect.DeepEqual(sparse, dense) {
			t.Fatalf("iter %d: outputs differ\n input  %s\n sparse %s\n dense  %s", it, mustJSON(in), mustJSON(sparse), mustJSON(dense))
		}
		unfused, err := epochUnfused(in)
		if err != nil || !reflect.DeepEqual(sparse, unfused) {
			t.Fatalf("iter %d: fused and unfused sparse differ (%v)\n input   %s\n fused   %s\n unfused %s", it, err, mustJSON(in), mustJSON(sparse), mustJSON(unfused))
		}
		checkInvariants(t, in, sparse)
	}
}

// TestDegenerateInputs: empty, single-UID, all-zero stake and all-zero
// weight inputs do not panic and keep the invariants.
func TestDegenerateInputs(t *testing.T) {
	params := Hyperparameters{Kappa: 32767, BondsMovingAverage: 900_000, BondsPenalty: 65535, ActivityCutoff: 5000,
		MaxAllowedValidators: 64, AlphaLow: 45875, AlphaHigh: 58982, AlphaSigmoidSteepness: 1000}
	mk := func(n int, stake uint64, w uint16) *Input {
		in := &Input{Block: 100, Tempo: 10, Params: params, Emission: 1_000_000_000}
		for i := 0; i < n; i++ {
			in.Stake = append(in.Stake, stake)
			in.LastUpdate = append(in.LastUpdate, 90)
			in.BlockAtRegistration = append(in.BlockAtRegistration, 1)
			in.ValidatorPermit = append(in.ValidatorPermit, true)
			var row []Entry
			for j := 0; j < n; j++ {
				row = append(row, Entry{uint16(j), w})
			}
			in.Weights = append(in.Weights, row)
			in.Bonds = append(in.Bonds, nil)
		}
		return in
	}
	for _, yuma3 := range []bool{false, true} {
		for _, liquid := range []bool{false, true} {
			for _, in := range []*Input{mk(0, 0, 0), mk(1, 1, 65535), mk(1, 0, 0), mk(5, 0, 65535), mk(5, 1000, 0), mk(5, 0, 0), mk(7, 1, 1)} {
				in.Params.Yuma3Enabled, in.Params.LiquidAlphaEnabled = yuma3, liquid
				out, err := Epoch(in)
				if err != nil {
					t.Fatal(err)
				}
				dense, err := EpochDense(in)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(out, dense) {
					t.Fatalf("outputs differ for %s", mustJSON(in))
				}
				checkInvariants(t, in, out)
			}
		}
	}
	if _, err := Epoch(nil); !errors.Is(err, ErrNilInput) {
		t.Fatalf("nil input: %v", err)
	}
}

func TestBadShapes(t *testing.T) {
	good := func() *Input {
		return &Input{
			Block: 10, Tempo: 5,
			Params:              Hyperparameters{Kappa: 32767, BondsMovingAverage: 900_000, MaxAllowedValidators: 4},
			Stake:               []uint64{1, 2, 3},
			LastUpdate:          []uint64{5, 5, 5},
			BlockAtRegistration: []uint64{1, 1, 1},
			ValidatorPermit:     []bool{true, true, false},
			Weights:             [][]Entry{{{1, 10}, {2, 20}}, {{0, 5}}, nil},
			Bonds:               [][]Entry{nil, {{2, 7}}, nil},
		}
	}
	if _, err := Epoch(good()); err != nil {
		t.Fatalf("good input: %v", err)
	}
	for _, tc := range []struct {
		name string
		mod  func(*Input)
		want error
	}{
		{"short last_update", func(in *Input) { in.LastUpdate = in.LastUpdate[:2] }, ErrLength},
		{"long block_at_registration", func(in *Input) { in.BlockAtRegistration = append(in.BlockAtRegistration, 1) }, ErrLength},
		{"short permits", func(in *Input) { in.ValidatorPermit = nil }, ErrLength},
		{"short weights", func(in *Input) { in.Weights = in.Weights[:1] }, ErrLength},
		{"long bonds", func(in *Input) { in.Bonds = append(in.Bonds, nil) }, ErrLength},
		{"commit blocks", func(in *Input) { in.CommitBlocks = []uint64{1} }, ErrLength},
		{"row too long", func(in *Input) { in.Weights[0] = []Entry{{0, 1}, {1, 1}, {2, 1}, {3, 1}} }, ErrRowTooLong},
		{"uid out of range", func(in *Input) { in.Weights[2] = []Entry{{3, 1}} }, ErrUIDOutOfRange},
		{"bond uid out of range", func(in *Input) { in.Bonds[2] = []Entry{{0, 1}, {9, 1}} }, ErrUIDOutOfRange},
		{"owner out of range", func(in *Input) { o := uint16(3); in.OwnerUID = &o }, ErrUIDOutOfRange},
		{"duplicate uid", func(in *Input) { in.Weights[0] = []Entry{{1, 1}, {1, 2}} }, ErrUnsortedRow},
		{"unsorted", func(in *Input) { in.Bonds[0] = []Entry{{2, 1}, {1, 2}} }, ErrUnsortedRow},
		{"bonds moving average", func(in *Input) { in.Params.BondsMovingAverage = 1_000_001 }, ErrHyperparameter},
		{"stake overflow", func(in *Input) { in.Stake = []uint64{math.MaxInt64, 1, 0} }, ErrStakeOverflow},
		{"stake wraps", func(in *Input) { in.Stake = []uint64{math.MaxUint64, 2, 0} }, ErrStakeOverflow},
	} {
		in := good()
		tc.mod(in)
		_, err := Epoch(in)
		_, errDense := EpochDense(in)
		if !errors.Is(err, tc.want) || !errors.Is(errDense, tc.want) {
			t.Errorf("%s: got %v / %v, want %v", tc.name, err, errDense, tc.want)
		}
	}
	big := &Input{Stake: make([]uint64, 65536)}
	if _, err := Epoch(big); !errors.Is(err, ErrTooManyUIDs) {
		t.Errorf("65536 UIDs: %v", err)
	}
}

// fuzzInput decodes arbitrary bytes into an input whose shape may be wrong.
func fuzzInput(data []byte) *Input {
	pos := 0
	next := func() byte {
		if pos >= len(data) {
			return 0
		}
		b := data[pos]
		pos++
		return b
	}
	u16 := func() uint16 { return uint16(next()) | uint16(next())<<8 }
	u64 := func() uint64 {
		var v uint64
		for i := range 8 {
			v |= uint64(next()) << (8 * i)
		}
		return v
	}
	n := int(next() % 24)
	lenOf := func() int {
		if next()%8 == 0 { // occasionally a wrong length
			return int(next() % 26)
		}
		return n
	}
	flags := next()
	in := &Input{
		Block: uint64(u16()), Tempo: uint64(next()),
		Params: Hyperparameters{
			Kappa: u16(), BondsMovingAverage: uint64(u16()) * 16, BondsPenalty: u16(), ActivityCutoff: uint64(u16()),
			MaxAllowedValidators: uint16(next()), AlphaLow: u16(), AlphaHigh: u16(),
			LiquidAlphaEnabled: flags&1 != 0, Yuma3Enabled: flags&2 != 0, CommitRevealEnabled: flags&4 != 0,
			AlphaSigmoidSteepness: int16(u16()),
		},
		Emission: u64(), StakeThreshold: uint64(next()), LastEpochBlock: uint64(next()),
	}
	for range lenOf() {
		in.Stake = append(in.Stake, u64()>>(next()%64))
	}
	for range lenOf() {
		in.LastUpdate = append(in.LastUpdate, uint64(u16()))
	}
	for range lenOf() {
		in.BlockAtRegistration = append(in.BlockAtRegistration, uint64(u16()))
	}
	for range lenOf() {
		in.ValidatorPermit = append(in.ValidatorPermit, next()&1 == 0)
	}
	rows := func() [][]Entry {
		var m [][]Entry
		for range lenOf() {
			var row []Entry
			uid := uint16(0)
			for k := int(next() % 8); k > 0; k-- {
				step := uint16(next() % 5) // 0 gives a duplicate
				if next()%16 == 0 {
					uid -= step // occasionally unsorted
				} else {
					uid += step
				}
				row = append(row, Entry{uid, u16()})
			}
			m = append(m, row)
		}
		return m
	}
	in.Weights = rows()
	in.Bonds = rows()
	if flags&8 != 0 {
		for range lenOf() {
			in.CommitBlocks = append(in.CommitBlocks, uint64(u16()))
		}
	}
	if flags&16 != 0 {
		o := uint16(next() % 26)
		in.OwnerUID = &o
	}
	return in
}

// FuzzEpoch: no input panics; both paths fail alike or agree exactly.
func FuzzEpoch(f *testing.F) {
	r := rand.New(rand.NewPCG(1, 1))
	for range 16 {
		seed := make([]byte, 256)
		for i := range seed {
			seed[i] = byte(r.Uint32())
		}
		f.Add(seed)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := fuzzInput(data)
		out, err := Epoch(in)
		dense, errDense := EpochDense(in)
		if (err == nil) != (errDense == nil) || (err != nil && err.Error() != errDense.Error()) {
			t.Fatalf("errors differ: %v / %v", err, errDense)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(out, dense) {
			t.Fatalf("outputs differ for %s", mustJSON(in))
		}
		checkInvariants(t, in, out)
	})
}
