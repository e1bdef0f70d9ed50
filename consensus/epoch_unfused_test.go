package consensus

import (
	"math/rand/v2"
	"testing"

	"github.com/yumachain/yuma/fixed"
)

// epochUnfused is the sparse epoch written step by step as subtensor's
// epoch_mechanism, one matrix per step, before the fusions of Epoch. The
// property test checks that all three paths agree.
func epochUnfused(in *Input) (*Output, error) {
	if err := validate(in); err != nil {
		return nil, err
	}
	p := newPrelude(in)
	n := p.n

	// Weights: mask, then row-normalise.
	lens := make([]int, n)
	for i, row := range in.Weights {
		for _, e := range row {
			if p.weightKept(in, i, int(e.UID)) {
				lens[i]++
			}
		}
	}
	weights := newSMat(lens)
	{
		for i, row := range in.Weights {
			for _, e := range row {
				if p.weightKept(in, i, int(e.UID)) {
					weights[i] = append(weights[i], sEntry{uint32(e.UID), fixed.I32F32FromU16(e.Value)})
				}
			}
		}
	}
	rowNormalizeSparse(weights)

	// Consensus and validator trust.
	preranks := matmulSparse(weights, p.activeStake, n)
	cons := weightedMedianColSparse(p.activeStake, weights, n, p.kappa)
	clipped := colClipSparse(weights, cons)
	vtrust := rowSumSparse(clipped)

	// Ranks, trust, incentive.
	ranks := matmulSparse(clipped, p.activeStake, n)
	trust := vecdiv(ranks, preranks)
	normalize(ranks)
	incentive := ranks

	// Bonds and dividends.
	wfb := interpolateSparse(weights, clipped, p.penalty)
	var dividends []fx
	var ema sMat
	if in.Params.Yuma3Enabled {
		bonds, _ := p.storedBondsSparse(in, true, false)
		ema = p.computeBondsSparse(wfb, bonds, cons)
		norm := cloneSMat(ema)
		colNormalizeSparse(norm, n)
		total := make([]fx, n)
		for i, row := range norm {
			s := zero
			for _, e := range row {
				// mat_vec_mul_sparse (saturating) then row_sum_sparse.
				s = s.WrappingAdd(e.v.SaturatingMul(incentive[e.j]))
			}
			total[i] = s
		}
		dividends = vecMul(total, p.activeStake)
		normalize(dividends)
	} else {
		bonds, _ := p.storedBondsSparse(in, false, false)
		colNormalizeSparse(bonds, n)
		delta := rowHadamardSparse(wfb, p.activeStake)
		colNormalizeSparse(delta, n)
		ema = matEmaSparse(delta, bonds, p.emaAlphaClassic)
		colNormalizeSparse(ema, n)
		dividends = matmulTransposeSparse(ema, incentive)
		normalize(dividends)
		colMaxUpscaleSparse(ema, n)
	}

	out := make([][]Entry, n)
	for i, row := range ema {
		if !p.newPermits[i] {
			continue
		}
		r := make([]Entry, 0, len(row))
		for _, e := range row {
			if be, ok := bondEntry(int(e.j), e.v); ok {
				r = append(r, be)
			}
		}
		out[i] = r
	}
	return p.finish(in, ranks, trust, cons, vtrust, incentive, dividends, out), nil
}

func cloneSMat(m sMat) sMat {
	c := newSMat(m.lens())
	for i, r := range m {
		c[i] = append(c[i], r...)
	}
	return c
}

// colClipSparse is col_clip_sparse: values above the column threshold become
// the threshold, or are dropped when the threshold is not positive.
func colClipSparse(m sMat, th []fx) sMat {
	out := newSMat(m.lens())
	for i, row := range m {
		for _, e := range row {
			t := th[e.j]
			if t.Less(e.v) {
				if zero.Less(t) {
					out[i] = append(out[i], sEntry{e.j, t})
				}
			} else {
				out[i] = append(out[i], e)
			}
		}
	}
	return out
}

// interpolateSparse is interpolate_sparse: a + ratio*(b - a) entry-wise,
// keeping positive results. The reference densifies each row; walking the
// union of the two sorted rows gives the same values in the same order.
func interpolateSparse(a, b sMat, ratio fx) sMat {
	if ratio.IsZero() {
		return a
	}
	if ratio == one {
		return b
	}
	out := newSMat(unionLens(a, b))
	for i := range a {
		ra, rb := a[i], b[i]
		x, y := 0, 0
		for x < len(ra) || y < len(rb) {
			var j uint32
			v1, v2 := zero, zero
			switch {
			case y >= len(rb) || (x < len(ra) && ra[x].j < rb[y].j):
				j, v1 = ra[x].j, ra[x].v
				x++
			case x >= len(ra) || rb[y].j < ra[x].j:
				j, v2 = rb[y].j, rb[y].v
				y++
			default:
				j, v1, v2 = ra[x].j, ra[x].v, rb[y].v
				x++
				y++
			}
			v := v1.SaturatingAdd(ratio.SaturatingMul(v2.SaturatingSub(v1)))
			if zero.Less(v) {
				out[i] = append(out[i], sEntry{j, v})
			}
		}
	}
	return out
}

// rowHadamardSparse is row_hadamard_sparse: m_ij * s_i.
func rowHadamardSparse(m sMat, s []fx) sMat {
	out := newSMat(m.lens())
	for i, row := range m {
		for _, e := range row {
			out[i] = append(out[i], sEntry{e.j, e.v.SaturatingMul(s[i])})
		}
	}
	return out
}

// matEmaSparse is mat_ema_sparse: alpha*new + (1-alpha)*old entry-wise,
// keeping positive results (accumulated as 0 + alpha*new, then + (1-alpha)*
// old, like the reference's densified row; merged here row by row).
func matEmaSparse(nw, old sMat, alpha fx) sMat {
	oma := one.SaturatingSub(alpha)
	out := newSMat(unionLens(nw, old))
	for i := range nw {
		rn, ro := nw[i], old[i]
		x, y := 0, 0
		for x < len(rn) || y < len(ro) {
			var j uint32
			acc := zero
			switch {
			case y >= len(ro) || (x < len(rn) && rn[x].j < ro[y].j):
				j = rn[x].j
				acc = acc.SaturatingAdd(alpha.SaturatingMul(rn[x].v))
				x++
			case x >= len(rn) || ro[y].j < rn[x].j:
				j = ro[y].j
				acc = acc.SaturatingAdd(oma.SaturatingMul(ro[y].v))
				y++
			default:
				j = rn[x].j
				acc = acc.SaturatingAdd(alpha.SaturatingMul(rn[x].v))
				acc = acc.SaturatingAdd(oma.SaturatingMul(ro[y].v))
				x++
				y++
			}
			if zero.Less(acc) {
				out[i] = append(out[i], sEntry{j, acc})
			}
		}
	}
	return out
}

// computeBondsSparse is compute_bonds_sparse (Yuma3): liquid alpha when it
// is enabled and some consensus is non-zero, else the fixed EMA.
func (p *prelude) computeBondsSparse(wfb, bonds sMat, cons []fx) sMat {
	if !(p.liquidEnabled && anyNonZero(cons)) {
		return matEmaSparse(wfb, bonds, p.emaAlphaClassic)
	}
	// mat_ema_alpha_sparse with alphas from alpha_sigmoid. Only the
	// entries of the new (weights) row are emitted; the alpha of (i, j)
	// depends on consensus_j, w_ij and b_ij (zero when absent), so it is
	// computed only where it is used.
	out := newSMat(wfb.lens())
	for i, rn := range wfb {
		ro := bonds[i]
		y := 0
		for _, e := range rn {
			for y < len(ro) && ro[y].j < e.j {
				y++
			}
			b := zero
			if y < len(ro) && ro[y].j == e.j {
				b = ro[y].v
			}
			a := p.liquid.sigmoid(cons[e.j], e.v, b)
			decayed := one.SaturatingSub(a).SaturatingMul(b)
			inc := a.SaturatingMul(e.v).Max(zero)
			v := decayed.SaturatingAdd(inc).Min(one)
			if zero.Less(v) {
				out[i] = append(out[i], sEntry{e.j, v})
			}
		}
	}
	return out
}

// matmulTransposeSparse is matmul_transpose_sparse: out_i = sum_j v_j * m_ij.
func matmulTransposeSparse(m sMat, v []fx) []fx {
	out := make([]fx, len(m))
	for i, row := range m {
		acc := zero
		for _, e := range row {
			acc = acc.SaturatingAdd(v[e.j].SaturatingMul(e.v))
		}
		out[i] = acc
	}
	return out
}

// colMaxUpscaleSparse is inplace_col_max_upscale_sparse.
func colMaxUpscaleSparse(m sMat, n int) {
	maxes := make([]fx, n)
	for _, row := range m {
		for _, e := range row {
			if maxes[e.j].Less(e.v) {
				maxes[e.j] = e.v
			}
		}
	}
	for _, row := range m {
		for k := range row {
			if d := maxes[row[k].j]; !d.IsZero() {
				row[k].v = row[k].v.SafeDiv(d)
			}
		}
	}
}

// rowSumSparse is row_sum_sparse (wrapping sums).
func rowSumSparse(m sMat) []fx {
	out := make([]fx, len(m))
	for i, row := range m {
		s := zero
		for _, e := range row {
			s = s.WrappingAdd(e.v)
		}
		out[i] = s
	}
	return out
}

// unionLens is, per row, the number of distinct columns of a and b.
func unionLens(a, b sMat) []int {
	lens := make([]int, len(a))
	for i := range a {
		ra, rb := a[i], b[i]
		x, y, c := 0, 0, 0
		for x < len(ra) && y < len(rb) {
			switch {
			case ra[x].j < rb[y].j:
				x++
			case rb[y].j < ra[x].j:
				y++
			default:
				x++
				y++
			}
			c++
		}
		lens[i] = c + len(ra) - x + len(rb) - y
	}
	return lens
}

// rowNormalizeSparse is inplace_row_normalize_sparse.
func rowNormalizeSparse(m sMat) {
	for _, row := range m {
		s := zero
		for _, e := range row {
			s = s.WrappingAdd(e.v)
		}
		if zero.Less(s) {
			for k := range row {
				row[k].v = row[k].v.SafeDiv(s)
			}
		}
	}
}

// colNormalizeSparse is inplace_col_normalize_sparse (saturating sums).
func colNormalizeSparse(m sMat, n int) {
	sums := make([]fx, n)
	for _, row := range m {
		for _, e := range row {
			sums[e.j] = sums[e.j].SaturatingAdd(e.v)
		}
	}
	for _, row := range m {
		for k := range row {
			if d := sums[row[k].j]; !d.IsZero() {
				row[k].v = row[k].v.SafeDiv(d)
			}
		}
	}
}

// matmulSparse is matmul_sparse: out_j = sum_i s_i * m_ij (saturating).
func matmulSparse(m sMat, s []fx, n int) []fx {
	out := make([]fx, n)
	for i, row := range m {
		si := s[i]
		for _, e := range row {
			out[e.j] = out[e.j].SaturatingAdd(si.SaturatingMul(e.v))
		}
	}
	return out
}

// weightedMedianLiteral is weighted_median transcribed as written (fresh
// partition vectors, saturating stake sums), the oracle for the branch-free
// weightedMedian.
func weightedMedianLiteral(stake, score []fx, minority, lo, hi fx) fx {
	cur := make([]int, len(score))
	for i := range cur {
		cur[i] = i
	}
	limit := len(cur)
	for iter := 0; ; {
		nn := len(cur)
		if nn == 0 {
			return zero
		}
		if nn == 1 {
			return score[cur[0]]
		}
		pivot := score[cur[nn/2]]
		loStake, hiStake := zero, zero
		var lower, upper []int
		for _, idx := range cur {
			if score[idx] == pivot {
				continue
			}
			if score[idx].Less(pivot) {
				loStake = loStake.SaturatingAdd(stake[idx])
				lower = append(lower, idx)
			} else {
				hiStake = hiStake.SaturatingAdd(stake[idx])
				upper = append(upper, idx)
			}
		}
		if minority.Less(lo.SaturatingAdd(loStake)) && len(lower) > 0 {
			cur = lower
			hi = lo.SaturatingAdd(loStake)
		} else if hi.SaturatingSub(hiStake).Cmp(minority) <= 0 && len(upper) > 0 {
			cur = upper
			lo = hi.SaturatingSub(hiStake)
		} else {
			return pivot
		}
		iter++
		if iter > limit {
			return zero
		}
	}
}

func TestWeightedMedianMatchesLiteral(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	for range 20000 {
		k := 1 + r.IntN(40)
		stake := make([]fx, k)
		score := make([]fx, k)
		levels := 1 + r.IntN(6) // few levels: many ties
		for i := range stake {
			stake[i] = fixed.I32F32FromBits(int64(r.IntN(1 << 30)))
			if r.IntN(3) == 0 {
				score[i] = fixed.I32F32FromBits(int64(r.IntN(levels)) << 28)
			} else {
				score[i] = fixed.I32F32FromBits(int64(r.Uint64() >> 31))
			}
		}
		normalize(stake)
		sum := sumWrap(stake)
		majority := fixed.I32F32FromBits(int64(r.Uint64() >> 31))
		minority := sum.SaturatingSub(majority)
		got := newMedianScratch(k).weightedMedian(stake, score, minority, zero, sum)
		if want := weightedMedianLiteral(stake, score, minority, zero, sum); got != want {
			t.Fatalf("median %v, literal %v (stake %v score %v minority %v)", got, want, stake, score, minority)
		}
	}
}

// The sMat helpers below were the fused Epoch's; the step-by-step version
// keeps them as they were.

// sEntry is one element of a sparse row of I32F32 values.
type sEntry struct {
	j uint32
	v fx
}

// sMat is a sparse matrix: one row per UID, entries sorted by column.
type sMat [][]sEntry

// newSMat allocates rows with the given lengths on one backing array.
func newSMat(lens []int) sMat {
	total := 0
	for _, l := range lens {
		total += l
	}
	back := make([]sEntry, total)
	m := make(sMat, len(lens))
	off := 0
	for i, l := range lens {
		m[i] = back[off : off : off+l]
		off += l
	}
	return m
}

func (m sMat) lens() []int {
	out := make([]int, len(m))
	for i, r := range m {
		out[i] = len(r)
	}
	return out
}

// storedBondsSparse reads the stored bonds (get_bonds_sparse, or its
// fixed-proportion variant for Yuma3) without the columns of UIDs
// registered since the last epoch (scalar_vec_mask_sparse_matrix). With
// sums it also returns the column sums (saturating).
func (p *prelude) storedBondsSparse(in *Input, proportion, sums bool) (sMat, []fx) {
	keep := make([]bool, p.n)
	for j := range keep {
		keep[j] = p.bondKept(in, j)
	}
	m := newSMat(inputLens(in.Bonds))
	var cs []fx
	if sums {
		cs = make([]fx, p.n)
	}
	for i, row := range in.Bonds {
		for _, e := range row {
			if !keep[e.UID] {
				continue
			}
			v := fixed.I32F32FromU16(e.Value)
			if proportion {
				v = v.SafeDiv(u16MaxFx)
			}
			m[i] = append(m[i], sEntry{uint32(e.UID), v})
			if sums {
				cs[e.UID] = cs[e.UID].SaturatingAdd(v)
			}
		}
	}
	return m, cs
}

func inputLens(rows [][]Entry) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = len(r)
	}
	return out
}

// weightedMedianColSparse is weighted_median_col_sparse: per column, the
// stake-weighted median (at majority kappa) of the weights of the UIDs with
// positive active stake.
func weightedMedianColSparse(stake []fx, m sMat, n int, majority fx) []fx {
	rowOf := make([]int32, n) // position among positive-stake rows, or -1
	useStake := make([]fx, 0, n)
	for i, s := range stake {
		if zero.Less(s) {
			rowOf[i] = int32(len(useStake))
			useStake = append(useStake, s)
		} else {
			rowOf[i] = -1
		}
	}
	normalize(useStake)
	stakeSum := sumWrap(useStake)
	minority := stakeSum.SaturatingSub(majority)
	k := len(useStake)

	// Columns are visited in blocks: the entries of each positive-stake row
	// that fall in the block are copied into a small column-major buffer
	// (cache-resident), one score vector per column.
	rows := make([][]sEntry, 0, k)
	for i, row := range m {
		if rowOf[i] >= 0 {
			rows = append(rows, row)
		}
	}
	median := make([]fx, n)
	if k == 0 {
		return median
	}
	block := max(1, min(n, (1<<16)/k))
	buf := make([]fx, block*k)
	used := make([]bool, block)
	cursor := make([]int, k)
	wm := newMedianScratch(k)
	for base := 0; base < n; base += block {
		end := min(base+block, n)
		for r, row := range rows {
			c := cursor[r]
			for c < len(row) && int(row[c].j) < end {
				col := int(row[c].j) - base
				buf[col*k+r] = row[c].v
				used[col] = true
				c++
			}
			cursor[r] = c
		}
		for col := 0; col < end-base; col++ {
			if !used[col] {
				continue // no entry: every score is zero, so is the median
			}
			score := buf[col*k : (col+1)*k]
			median[base+col] = wm.weightedMedian(useStake, score, minority, zero, stakeSum)
			clear(score)
			used[col] = false
		}
	}
	return median
}
