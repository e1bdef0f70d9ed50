package consensus

import (
	"github.com/yumachain/yuma/fixed"
)

// The sparse epoch: subtensor's epoch_mechanism (run_epoch.rs, the version
// before commit 8fb5c3688 that still computes rank, trust and pruning
// scores), with the optional inputs of later versions (stake threshold,
// owner UID, last epoch block, commit-reveal column mask).

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

// Epoch runs one Yuma consensus epoch on the sparse path (the one subtensor
// runs on chain). It returns an error wrapping a sentinel of errors.go for a
// malformed input and never panics.
func Epoch(in *Input) (*Output, error) {
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
		bonds := p.storedBondsSparse(in, true)
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
		bonds := p.storedBondsSparse(in, false)
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

// storedBondsSparse reads the stored bonds (get_bonds_sparse, or its
// fixed-proportion variant for Yuma3) without the columns of UIDs
// registered since the last epoch (scalar_vec_mask_sparse_matrix).
func (p *prelude) storedBondsSparse(in *Input, proportion bool) sMat {
	lens := make([]int, p.n)
	for i, row := range in.Bonds {
		for _, e := range row {
			if p.bondKept(in, int(e.UID)) {
				lens[i]++
			}
		}
	}
	m := newSMat(lens)
	for i, row := range in.Bonds {
		for _, e := range row {
			if !p.bondKept(in, int(e.UID)) {
				continue
			}
			v := fixed.I32F32FromU16(e.Value)
			if proportion {
				v = v.SafeDiv(u16MaxFx)
			}
			m[i] = append(m[i], sEntry{uint32(e.UID), v})
		}
	}
	return m
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
	lens := make([]int, len(a))
	for i := range a {
		lens[i] = len(a[i]) + len(b[i])
	}
	out := newSMat(lens)
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

// vecMul is vec_mul: element-wise checked product, zero on overflow.
func vecMul(a, b []fx) []fx {
	out := make([]fx, len(a))
	for i := range a {
		out[i], _ = a[i].CheckedMul(b[i])
	}
	return out
}

// matEmaSparse is mat_ema_sparse: alpha*new + (1-alpha)*old entry-wise,
// keeping positive results (accumulated as 0 + alpha*new, then + (1-alpha)*
// old, like the reference's densified row; merged here row by row).
func matEmaSparse(nw, old sMat, alpha fx) sMat {
	oma := one.SaturatingSub(alpha)
	lens := make([]int, len(nw))
	for i := range nw {
		lens[i] = len(nw[i]) + len(old[i])
	}
	out := newSMat(lens)
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

// weightedMedianColSparse is weighted_median_col_sparse: per column, the
// stake-weighted median (at majority kappa) of the weights of the UIDs with
// positive active stake.
func weightedMedianColSparse(stake []fx, m sMat, n int, majority fx) []fx {
	rowOf := make([]int32, n) // position among positive-stake rows, or -1
	var useStake []fx
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

	// Column-major view of the positive-stake rows.
	colLen := make([]int32, n+1)
	for i, row := range m {
		if rowOf[i] < 0 {
			continue
		}
		for _, e := range row {
			colLen[e.j+1]++
		}
	}
	for j := 1; j <= n; j++ {
		colLen[j] += colLen[j-1]
	}
	type cell struct {
		k int32
		v fx
	}
	cells := make([]cell, colLen[n])
	fill := make([]int32, n)
	copy(fill, colLen[:n])
	for i, row := range m {
		r := rowOf[i]
		if r < 0 {
			continue
		}
		for _, e := range row {
			cells[fill[e.j]] = cell{r, e.v}
			fill[e.j]++
		}
	}

	median := make([]fx, n)
	score := make([]fx, k)
	wm := newMedianScratch(k)
	for j := 0; j < n; j++ {
		col := cells[colLen[j]:colLen[j+1]]
		if len(col) == 0 {
			continue // every score is zero: the median is zero
		}
		for _, c := range col {
			score[c.k] = c.v
		}
		median[j] = wm.weightedMedian(useStake, score, minority, zero, stakeSum)
		for _, c := range col {
			score[c.k] = zero
		}
	}
	return median
}

// medianScratch holds the partition buffers of weightedMedian.
type medianScratch struct {
	cur, lower, upper []int32
}

func newMedianScratch(k int) *medianScratch {
	return &medianScratch{
		cur:   make([]int32, 0, k),
		lower: make([]int32, 0, k),
		upper: make([]int32, 0, k),
	}
}

// weightedMedian is weighted_median: a deterministic mid-pivot partition
// search for the stake-weighted median of score over all indices, where
// minority = stake_sum - majority and [lo, hi] the stake segment.
func (m *medianScratch) weightedMedian(stake, score []fx, minority, lo, hi fx) fx {
	cur := m.cur[:0]
	for i := range score {
		cur = append(cur, int32(i))
	}
	lower, upper := m.lower[:0], m.upper[:0]
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
		lower, upper = lower[:0], upper[:0]
		for _, idx := range cur {
			s := score[idx]
			if s == pivot {
				continue
			}
			if s.Less(pivot) {
				loStake = loStake.SaturatingAdd(stake[idx])
				lower = append(lower, idx)
			} else {
				hiStake = hiStake.SaturatingAdd(stake[idx])
				upper = append(upper, idx)
			}
		}
		switch {
		case minority.Less(lo.SaturatingAdd(loStake)) && len(lower) > 0:
			hi = lo.SaturatingAdd(loStake)
			cur, lower = lower, cur
		case hi.SaturatingSub(hiStake).Cmp(minority) <= 0 && len(upper) > 0:
			lo = hi.SaturatingSub(hiStake)
			cur, upper = upper, cur
		default:
			return pivot
		}
		iter++
		if iter > limit {
			return zero
		}
	}
}
