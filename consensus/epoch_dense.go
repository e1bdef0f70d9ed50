package consensus

import "github.com/yumachain/yuma/fixed"

// The dense epoch: subtensor's epoch_dense_mechanism (run_epoch.rs before
// commit 8fb5c3688) on n x n matrices. It exists to cross-check Epoch and
// agrees with it bit for bit on every input. Where subtensor's own dense
// and sparse functions differ, this path follows the sparse one, which is
// what the chain runs:
//
//   - the commit-reveal column mask and the owner's kept self-weight (the
//     reference dense function applies neither);
//   - liquid-alpha Yuma3 bonds: mat_ema_alpha_sparse only emits bonds on
//     columns present in the row of weights for bonds (an explicitly stored
//     zero weight counts as present), mat_ema_alpha updates every column;
//     a presence mask carried through the weight masks reproduces the
//     sparse behaviour;
//   - rows of UIDs without a new validator permit get empty bonds (the
//     sparse path overwrites every row; the dense one leaves rows that had
//     no permit before untouched).

// EpochDense runs one Yuma consensus epoch on the dense path. It returns
// exactly what Epoch returns, or the same error.
func EpochDense(in *Input) (*Output, error) {
	if err := validate(in); err != nil {
		return nil, err
	}
	p := newPrelude(in)
	n := p.n

	// Weights (get_weights), masked: permit rows, diagonal, outdated,
	// commit-reveal; present marks stored entries that survive the masks.
	w := newDense(n)
	present := newBoolDense(n)
	for i, row := range in.Weights {
		for _, e := range row {
			if p.weightKept(in, i, int(e.UID)) {
				w[i][e.UID] = fixed.I32F32FromU16(e.Value)
				present[i][e.UID] = true
			}
		}
	}
	for _, row := range w { // inplace_row_normalize
		s := sumWrap(row)
		if zero.Less(s) {
			for j := range row {
				row[j] = row[j].SafeDiv(s)
			}
		}
	}

	preranks := matmulDense(w, p.activeStake)
	cons := weightedMedianColDense(p.activeStake, w, p.kappa)
	clipped := newDense(n)
	presentClipped := newBoolDense(n)
	for i := range w { // inplace_col_clip
		for j, v := range w[i] {
			clipped[i][j] = cons[j].Min(v)
			presentClipped[i][j] = present[i][j] && !(cons[j].Less(v) && !zero.Less(cons[j]))
		}
	}
	vtrust := make([]fx, n)
	for i, row := range clipped {
		vtrust[i] = sumWrap(row)
	}

	ranks := matmulDense(clipped, p.activeStake)
	trust := vecdiv(ranks, preranks)
	normalize(ranks)
	incentive := ranks

	// interpolate(weights, clipped, bonds_penalty).
	var wfb [][]fx
	var presentWfb [][]bool
	switch {
	case p.penalty.IsZero():
		wfb, presentWfb = w, present
	case p.penalty == one:
		wfb, presentWfb = clipped, presentClipped
	default:
		wfb, presentWfb = newDense(n), newBoolDense(n)
		for i := range w {
			for j := range w[i] {
				v1, v2 := w[i][j], clipped[i][j]
				v := v1.SaturatingAdd(p.penalty.SaturatingMul(v2.SaturatingSub(v1)))
				wfb[i][j] = v
				presentWfb[i][j] = zero.Less(v)
			}
		}
	}

	var dividends []fx
	var ema [][]fx
	if in.Params.Yuma3Enabled {
		bonds := p.storedBondsDense(in, true)
		if p.liquidEnabled && anyNonZero(cons) {
			ema = newDense(n)
			for i := range wfb { // mat_ema_alpha, on present columns
				for j, nv := range wfb[i] {
					if !presentWfb[i][j] {
						continue
					}
					o := bonds[i][j]
					a := p.liquid.sigmoid(cons[j], nv, o)
					decayed := one.SaturatingSub(a).SaturatingMul(o)
					inc := a.SaturatingMul(nv).Max(zero)
					ema[i][j] = decayed.SaturatingAdd(inc).Min(one)
				}
			}
		} else {
			ema = matEmaDense(wfb, bonds, p.emaAlphaClassic)
		}
		norm := newDense(n)
		for i := range ema {
			copy(norm[i], ema[i])
		}
		colNormalizeDense(norm)
		total := make([]fx, n)
		for i, row := range norm { // row_sum(mat_vec_mul(norm, incentive))
			s := zero
			for j, v := range row {
				prod, _ := v.CheckedMul(incentive[j])
				s = s.WrappingAdd(prod)
			}
			total[i] = s
		}
		dividends = vecMul(total, p.activeStake)
		normalize(dividends)
	} else {
		bonds := p.storedBondsDense(in, false)
		colNormalizeDense(bonds)
		delta := newDense(n)
		for i := range wfb { // row_hadamard
			for j, v := range wfb[i] {
				delta[i][j] = p.activeStake[i].SaturatingMul(v)
			}
		}
		colNormalizeDense(delta)
		ema = matEmaDense(delta, bonds, p.emaAlphaClassic)
		colNormalizeDense(ema)
		dividends = make([]fx, n)
		for i, row := range ema { // matmul_transpose
			s := zero
			for j, v := range row {
				s = s.SaturatingAdd(v.SaturatingMul(incentive[j]))
			}
			dividends[i] = s
		}
		normalize(dividends)
		colMaxUpscaleDense(ema)
	}

	out := make([][]Entry, n)
	for i, row := range ema {
		if !p.newPermits[i] {
			continue
		}
		r := make([]Entry, 0)
		for j, v := range row {
			if be, ok := bondEntry(j, v); ok {
				r = append(r, be)
			}
		}
		out[i] = r
	}
	return p.finish(in, ranks, trust, cons, vtrust, incentive, dividends, out), nil
}

func newDense(n int) [][]fx {
	back := make([]fx, n*n)
	m := make([][]fx, n)
	for i := range m {
		m[i] = back[i*n : (i+1)*n : (i+1)*n]
	}
	return m
}

func newBoolDense(n int) [][]bool {
	back := make([]bool, n*n)
	m := make([][]bool, n)
	for i := range m {
		m[i] = back[i*n : (i+1)*n : (i+1)*n]
	}
	return m
}

// storedBondsDense is get_bonds (or get_bonds_fixed_proportion) with the
// columns of recently registered UIDs zeroed (inplace_mask_cols).
func (p *prelude) storedBondsDense(in *Input, proportion bool) [][]fx {
	b := newDense(p.n)
	for i, row := range in.Bonds {
		for _, e := range row {
			if !p.bondKept(in, int(e.UID)) {
				continue
			}
			v := fixed.I32F32FromU16(e.Value)
			if proportion {
				v = v.SafeDiv(u16MaxFx)
			}
			b[i][e.UID] = v
		}
	}
	return b
}

// matmulDense is matmul: out_j = sum_i s_i * m_ij (saturating).
func matmulDense(m [][]fx, s []fx) []fx {
	out := make([]fx, len(m))
	for i, row := range m {
		si := s[i]
		for j, v := range row {
			out[j] = out[j].SaturatingAdd(si.SaturatingMul(v))
		}
	}
	return out
}

// colNormalizeDense is inplace_col_normalize (saturating column sums).
func colNormalizeDense(m [][]fx) {
	if len(m) == 0 {
		return
	}
	sums := make([]fx, len(m[0]))
	for _, row := range m {
		for j, v := range row {
			sums[j] = sums[j].SaturatingAdd(v)
		}
	}
	for _, row := range m {
		for j := range row {
			if !sums[j].IsZero() {
				row[j] = row[j].SafeDiv(sums[j])
			}
		}
	}
}

// colMaxUpscaleDense is inplace_col_max_upscale.
func colMaxUpscaleDense(m [][]fx) {
	if len(m) == 0 {
		return
	}
	maxes := make([]fx, len(m[0]))
	for _, row := range m {
		for j, v := range row {
			if maxes[j].Less(v) {
				maxes[j] = v
			}
		}
	}
	for _, row := range m {
		for j := range row {
			if !maxes[j].IsZero() {
				row[j] = row[j].SafeDiv(maxes[j])
			}
		}
	}
}

// matEmaDense is mat_ema: alpha*new + (1-alpha)*old entry-wise.
func matEmaDense(nw, old [][]fx, alpha fx) [][]fx {
	oma := one.SaturatingSub(alpha)
	out := newDense(len(nw))
	for i := range nw {
		for j := range nw[i] {
			out[i][j] = alpha.SaturatingMul(nw[i][j]).SaturatingAdd(oma.SaturatingMul(old[i][j]))
		}
	}
	return out
}

// weightedMedianColDense is weighted_median_col.
func weightedMedianColDense(stake []fx, m [][]fx, majority fx) []fx {
	n := len(m)
	median := make([]fx, n)
	var useStake []fx
	var rows []int
	for i, s := range stake {
		if zero.Less(s) {
			useStake = append(useStake, s)
			rows = append(rows, i)
		}
	}
	if len(useStake) == 0 {
		return median
	}
	normalize(useStake)
	stakeSum := sumWrap(useStake)
	minority := stakeSum.SaturatingSub(majority)
	score := make([]fx, len(rows))
	wm := newMedianScratch(len(rows))
	for c := 0; c < n; c++ {
		for k, r := range rows {
			score[k] = m[r][c]
		}
		median[c] = wm.weightedMedian(useStake, score, minority, zero, stakeSum)
	}
	return median
}
