package reference

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

func satAdd(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxUint64
}

func satSub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

// normalize scales x to sum 1 in place; an all-zero x is left alone.
func normalize(x []float64) {
	if s := floats.Sum(x); s != 0 {
		floats.Scale(1/s, x)
	}
}

func allZero(x []float64) bool {
	for _, v := range x {
		if v != 0 {
			return false
		}
	}
	return true
}

// topKNonzero marks the k largest non-zero values of x. Like subtensor's
// is_topk_nonzero it sorts ascending and stably, so among equal values the
// lower UIDs drop out first; with fewer than k values every non-zero one is
// kept.
func topKNonzero(x []float64, k int) []bool {
	n := len(x)
	out := make([]bool, n)
	for i, v := range x {
		out[i] = v != 0
	}
	if n < k {
		return out
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(x[a], x[b]) })
	for _, i := range idx[:n-k] {
		out[i] = false
	}
	return out
}

// alphaSigmoid is the liquid alpha of one (validator, miner) pair: a
// sigmoid of how far the weight w leads consensus c (when w >= the bond b)
// or how far the bond trails the weight (otherwise), mapped onto
// [lo, hi].
func alphaSigmoid(c, w, b, lo, hi, steepness float64) float64 {
	d := clamp(b-w, 0, 1)
	if w >= b {
		d = clamp(w-c, 0, 1)
	}
	s := 1 / (1 + math.Exp(steepness/-100*(d-0.5)))
	return clamp(lo+s*(hi-lo), lo, hi)
}

// clamp applies the upper bound first and the lower bound last, as
// subtensor's clamp_value does, so lo wins when lo > hi.
func clamp(v, lo, hi float64) float64 {
	return math.Max(math.Min(v, hi), lo)
}

// emaFixed sets dst = alpha*next + (1-alpha)*prev, keeping only positive
// cells (the sparse EMA drops the rest).
func emaFixed(dst, next, prev *mat.Dense, alpha float64) {
	rows, _ := dst.Dims()
	for k := range rows {
		d, a, b := dst.RawRowView(k), next.RawRowView(k), prev.RawRowView(k)
		for j := range d {
			v := alpha*a[j] + (1-alpha)*b[j]
			if v > 0 {
				d[j] = v
			} else {
				d[j] = 0
			}
		}
	}
}

// colNormalize scales every non-zero column of m to sum 1.
func colNormalize(m *mat.Dense) {
	rows, cols := m.Dims()
	sums := make([]float64, cols)
	for k := range rows {
		floats.Add(sums, m.RawRowView(k))
	}
	for k := range rows {
		row := m.RawRowView(k)
		for j, s := range sums {
			if s != 0 {
				row[j] /= s
			}
		}
	}
}

// colMaxUpscale scales every non-zero column of m so its largest cell is 1,
// and returns the column maxima it divided by.
func colMaxUpscale(m *mat.Dense) []float64 {
	rows, cols := m.Dims()
	maxes := make([]float64, cols)
	for k := range rows {
		for j, v := range m.RawRowView(k) {
			maxes[j] = math.Max(maxes[j], v)
		}
	}
	for k := range rows {
		row := m.RawRowView(k)
		for j, mx := range maxes {
			if mx != 0 {
				row[j] /= mx
			}
		}
	}
	return maxes
}

// weightedMedianCols sets out[j] to the stake-weighted median of column j of
// w over the rows with positive stake, with majority kappa.
func weightedMedianCols(out []float64, w *mat.Dense, stake []float64, kappa float64) {
	var rows []int
	var use []float64
	for k, s := range stake {
		if s > 0 {
			rows = append(rows, k)
			use = append(use, s)
		}
	}
	if len(rows) == 0 {
		clear(out)
		return
	}
	normalize(use)
	sum := floats.Sum(use)
	minority := sum - kappa
	m := newMedian(len(rows))
	score := make([]float64, len(rows))
	for j := range out {
		for q, k := range rows {
			score[q] = w.At(k, j)
		}
		out[j] = m.find(use, score, minority, 0, sum)
	}
}

// median holds the scratch space of the weighted median search.
type median struct {
	cur, lower, upper []int
}

func newMedian(n int) *median {
	return &median{cur: make([]int, 0, n), lower: make([]int, 0, n), upper: make([]int, 0, n)}
}

// find is subtensor's deterministic weighted median: a binary search that
// takes the middle element of the current partition as pivot and keeps the
// side of the stake integral [lo, hi] that holds the minority point, until
// the pivot itself straddles it. Using the same pivot rule as the
// fixed-point code makes both pick the same element of a column.
func (m *median) find(stake, score []float64, minority, lo, hi float64) float64 {
	m.cur = m.cur[:0]
	for i := range score {
		m.cur = append(m.cur, i)
	}
	limit := len(m.cur)
	for iter := 1; ; iter++ {
		n := len(m.cur)
		switch n {
		case 0:
			return 0
		case 1:
			return score[m.cur[0]]
		}
		pivot := score[m.cur[n/2]]
		var loStake, hiStake float64
		m.lower, m.upper = m.lower[:0], m.upper[:0]
		for _, i := range m.cur {
			switch s := score[i]; {
			case s == pivot:
			case s < pivot:
				loStake += stake[i]
				m.lower = append(m.lower, i)
			default:
				hiStake += stake[i]
				m.upper = append(m.upper, i)
			}
		}
		switch {
		case minority < lo+loStake && len(m.lower) > 0:
			hi = lo + loStake
			m.cur, m.lower = m.lower, m.cur
		case hi-hiStake <= minority && len(m.upper) > 0:
			lo = hi - hiStake
			m.cur, m.upper = m.upper, m.cur
		default:
			return pivot
		}
		if iter > limit {
			return 0
		}
	}
}
