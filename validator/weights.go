package validator

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/yumachain/yuma/types"
)

// ComputeWeights turns moving-average scores (uid -> score, scores <= 0
// ignored) into the weights to set on a subnet of n UIDs, for the
// validator at UID self:
//
//  1. Miners with a positive score, best first (ties by UID), at most
//     types.MaxWeightsLen of them, get weights proportional to score.
//  2. If that is fewer than min_allowed_weights, or too few for every
//     weight to stay under max_weights_limit, other UIDs (lowest first,
//     self last) are added with a token weight so the call is valid.
//  3. No UID gets more than max_weights_limit of the sum (0 or 65535: no
//     limit): weights above it are capped and the excess spread over the
//     rest in proportion ("water filling", as bittensor's
//     normalize_max_weight).
//  4. Values are scaled so the largest is 65535 (u16 max-upscaling) and
//     every listed UID gets at least 1 (rounded up when a cap applies, so
//     quantization never pushes the top weight over it).
//
// It returns UIDs in ascending order with their values, or ErrNoScores.
func ComputeWeights(scores map[uint16]float64, n, self, minAllowed, maxLimit uint16) (uids, values []uint16, err error) {
	type entry struct {
		uid uint16
		w   float64
	}
	var es []entry
	for uid, s := range scores {
		if uid < n && s > 0 && !math.IsInf(s, 0) {
			es = append(es, entry{uid, s})
		}
	}
	if len(es) == 0 {
		return nil, nil, ErrNoScores
	}
	slices.SortFunc(es, func(a, b entry) int {
		if a.w != b.w {
			return cmp.Compare(b.w, a.w)
		}
		return cmp.Compare(a.uid, b.uid)
	})
	if len(es) > types.MaxWeightsLen {
		es = es[:types.MaxWeightsLen]
	}
	// The cap, with a margin for u16 rounding.
	limit := 1.0
	if maxLimit != 0 && maxLimit < math.MaxUint16 {
		limit = float64(max(maxLimit, 2)-1) / math.MaxUint16
	}
	need := int(minAllowed)
	if limit < 1 {
		need = max(need, int(math.Ceil(1/limit)))
	}
	need = min(need, int(n), types.MaxWeightsLen)
	if len(es) < need {
		var sum float64
		for _, e := range es {
			sum += e.w
		}
		token := sum * 1e-6
		in := make(map[uint16]bool, len(es))
		for _, e := range es {
			in[e.uid] = true
		}
		pad := make([]uint16, 0, need-len(es))
		for uid := range n {
			if !in[uid] && uid != self {
				pad = append(pad, uid)
			}
		}
		if !in[self] && self < n {
			pad = append(pad, self)
		}
		for _, uid := range pad[:min(len(pad), need-len(es))] {
			es = append(es, entry{uid, token})
		}
	}
	ws := make([]float64, len(es))
	for i, e := range es {
		ws[i] = e.w
	}
	ws = capWeights(ws, limit)
	top := slices.Max(ws)
	if !(top > 0) {
		return nil, nil, fmt.Errorf("%w: degenerate weights", ErrNoScores)
	}
	type out struct{ uid, v uint16 }
	outs := make([]out, len(es))
	for i, e := range es {
		v := ws[i] / top * math.MaxUint16
		if limit < 1 {
			v = math.Ceil(v) // rounding up the others keeps the top under the cap
		} else {
			v = math.Round(v)
		}
		outs[i] = out{e.uid, uint16(max(1, min(v, math.MaxUint16)))}
	}
	slices.SortFunc(outs, func(a, b out) int { return cmp.Compare(a.uid, b.uid) })
	for _, o := range outs {
		uids = append(uids, o.uid)
		values = append(values, o.v)
	}
	return uids, values, nil
}

// capWeights normalizes w (positive) to sum 1 with no element above limit,
// keeping the uncapped elements proportional. If len(w)*limit < 1 no
// solution exists and it returns the uniform distribution.
func capWeights(w []float64, limit float64) []float64 {
	out := slices.Clone(w)
	if float64(len(w))*limit < 1 {
		for i := range out {
			out[i] = 1 / float64(len(out))
		}
		return out
	}
	idx := make([]int, len(w))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(w[b], w[a]) })
	var rest float64
	for _, x := range w {
		rest += x
	}
	// Cap the k largest at limit; the rest scale by (1-k*limit)/rest.
	for k := 0; k < len(w); k++ {
		scale := (1 - float64(k)*limit) / rest
		if w[idx[k]]*scale <= limit {
			for j, i := range idx {
				if j < k {
					out[i] = limit
				} else {
					out[i] = w[i] * scale
				}
			}
			return out
		}
		rest -= w[idx[k]]
	}
	for i := range out {
		out[i] = 1 / float64(len(out))
	}
	return out
}
