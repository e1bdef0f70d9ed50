package reference

import (
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/yumachain/yuma/consensus"
)

// u16Max is 65535 as a float: the denominator of every u16 fraction.
const u16Max = float64(math.MaxUint16)

// Result is one epoch computed in float64. Per-UID vectors have length N.
// The matrices have one row per UID in Rows (ascending) and N columns; a UID
// not in Rows has all-zero rows. Matrices are nil when Rows is empty.
type Result struct {
	N int
	// Rows are the UIDs that own a matrix row: those with permitted
	// weights, stored bonds or active stake.
	Rows []int

	Active []bool
	// ValidatorPermit is the new permit set (top-k non-zero stake).
	ValidatorPermit []bool
	// Stake is the stake weight after the threshold, normalized to sum 1.
	Stake []float64
	// ActiveStake is Stake masked by inactivity and by the permits held
	// before the epoch, normalized to sum 1 (or all zero).
	ActiveStake []float64

	// Weights are the masked, row-normalized weights; ClippedWeights are
	// the same clipped at Consensus; WeightsForBonds interpolates between
	// them by bonds_penalty.
	Weights, ClippedWeights, WeightsForBonds *mat.Dense

	PreRanks       []float64
	Consensus      []float64
	ValidatorTrust []float64
	// Ranks are the clipped-weight ranks before normalization; Rank (what
	// the chain stores) is their normalization and equals Incentive.
	Ranks     []float64
	Rank      []float64
	Trust     []float64
	Incentive []float64
	Dividends []float64

	// Bonds are the bonds the epoch computes for every row, in the form
	// they are stored: column max-upscaled (classic) or as fractions
	// (Yuma3). Output keeps only the rows of UIDs with a new permit.
	Bonds *mat.Dense
	// BondColMax (classic Yuma only) is, per UID, the largest cell of its
	// bond column after the EMA was column-normalized: the divisor of the
	// max-upscaling.
	BondColMax []float64
	// Yuma3 and LiquidAlpha say which bond rule ran; Alpha is the fixed
	// EMA coefficient 1 - bonds_moving_average/10^6.
	Yuma3, LiquidAlpha bool
	Alpha              float64

	// NormServerEmission and NormValidatorEmission are the shares of the
	// epoch's emission; ServerEmission and ValidatorEmission are the same
	// in rao before rounding down.
	NormServerEmission, NormValidatorEmission []float64
	ServerEmission, ValidatorEmission         []float64
	// Emission is the combined emission score (PruningScores) in rao,
	// what subtensor stores as Emission.
	Emission []float64
	// PruningScores are the normalized combined emission (the chain stores
	// them max-upscaled to u16).
	PruningScores []float64
}

// Epoch runs one Yuma epoch on in in float64. It returns an error wrapping
// ErrInvalidInput for inputs that break the consensus.Input shape rules; it
// does not modify in.
func Epoch(in *consensus.Input) (*Result, error) {
	if err := validate(in); err != nil {
		return nil, err
	}
	n := len(in.Stake)
	p := in.Params
	r := &Result{
		N:              n,
		Active:         make([]bool, n),
		Stake:          make([]float64, n),
		ActiveStake:    make([]float64, n),
		PreRanks:       make([]float64, n),
		Consensus:      make([]float64, n),
		ValidatorTrust: make([]float64, n),
		Ranks:          make([]float64, n),
		Trust:          make([]float64, n),
		Dividends:      make([]float64, n),
		Yuma3:          p.Yuma3Enabled,
	}

	owner := -1
	if in.OwnerUID != nil {
		owner = int(*in.OwnerUID)
	}

	// Activity.
	for i, lu := range in.LastUpdate {
		r.Active[i] = !(satAdd(lu, p.ActivityCutoff) < in.Block)
	}

	// Stake, permits, active stake.
	// The owner is exempt from the threshold and always holds a permit.
	for i, s := range in.Stake {
		if s >= in.StakeThreshold || i == owner {
			r.Stake[i] = float64(s)
		}
	}
	normalize(r.Stake)
	permits := append([]bool(nil), in.ValidatorPermit...)
	r.ValidatorPermit = topKNonzero(r.Stake, int(p.MaxAllowedValidators))
	if owner >= 0 {
		permits[owner] = true
		r.ValidatorPermit[owner] = true
	}
	for i := range r.ActiveStake {
		if r.Active[i] && permits[i] {
			r.ActiveStake[i] = r.Stake[i]
		}
	}
	normalize(r.ActiveStake)

	// Rows that can carry a non-zero value.
	for i := range n {
		if (permits[i] && len(in.Weights[i]) > 0) || len(in.Bonds[i]) > 0 || r.ActiveStake[i] > 0 {
			r.Rows = append(r.Rows, i)
		}
	}

	if len(r.Rows) > 0 && n > 0 {
		r.matrices(in, permits, owner)
	} else {
		r.Rank = make([]float64, n)
		r.Incentive = make([]float64, n)
	}
	r.emission(in)
	return r, nil
}

// matrices runs the weight, consensus and bond steps on the row-compacted
// matrices.
// permits are the stored permits with the owner's forced on; owner is -1
// without an owner UID.
func (r *Result) matrices(in *consensus.Input, permits []bool, owner int) {
	n, rows := r.N, len(r.Rows)
	p := in.Params

	// Active stake of each row.
	rowStake := make([]float64, rows)
	for k, uid := range r.Rows {
		rowStake[k] = r.ActiveStake[uid]
	}
	rowStakeVec := mat.NewVecDense(rows, rowStake)

	// Weights: permitted rows, no self-weight, not outdated, not committed
	// before the target registered; then row-normalized. present records
	// which entries the sparse path keeps (an entry may hold 0).
	w := mat.NewDense(rows, n, nil)
	present := make([]bool, rows*n)
	commitReveal := p.CommitRevealEnabled && in.CommitBlocks != nil
	for k, i := range r.Rows {
		if !permits[i] {
			continue
		}
		row := w.RawRowView(k)
		for _, e := range in.Weights[i] {
			j := int(e.UID)
			if (j == i && i != owner) || in.LastUpdate[i] <= in.BlockAtRegistration[j] {
				continue
			}
			if commitReveal && in.CommitBlocks[i] < in.BlockAtRegistration[j] {
				continue
			}
			row[j] = float64(e.Value)
			present[k*n+j] = true
		}
		if s := floats.Sum(row); s > 0 {
			floats.Scale(1/s, row)
		}
	}
	r.Weights = w

	// Pre-clip ranks, consensus, clipping, validator trust.
	pre := mat.NewVecDense(n, r.PreRanks)
	pre.MulVec(w.T(), rowStakeVec)
	kappa := float64(p.Kappa) / u16Max
	weightedMedianCols(r.Consensus, w, rowStake, kappa)

	clipped := mat.DenseCopyOf(w)
	for k := range rows {
		row := clipped.RawRowView(k)
		for j, v := range row {
			row[j] = math.Min(v, r.Consensus[j])
		}
		r.ValidatorTrust[r.Rows[k]] = floats.Sum(row)
	}
	r.ClippedWeights = clipped

	// Ranks, trust, incentive.
	ranks := mat.NewVecDense(n, r.Ranks)
	ranks.MulVec(clipped.T(), rowStakeVec)
	for j := range r.Trust {
		if r.PreRanks[j] != 0 {
			r.Trust[j] = r.Ranks[j] / r.PreRanks[j]
		}
	}
	r.Rank = append([]float64(nil), r.Ranks...)
	normalize(r.Rank)
	r.Incentive = append([]float64(nil), r.Rank...)

	// Weights for bonds: W + penalty*(C - W), with the sparse path's entry
	// set (ratio 0 keeps W's entries, ratio 1 C's, otherwise the positive
	// interpolations).
	wb := mat.DenseCopyOf(w)
	pen := float64(p.BondsPenalty) / u16Max
	switch p.BondsPenalty {
	case 0:
	case math.MaxUint16:
		wb.Copy(clipped)
		for k := range rows {
			wr := w.RawRowView(k)
			for j, v := range wr {
				if r.Consensus[j] <= 0 && v > 0 {
					present[k*n+j] = false
				}
			}
		}
	default:
		for k := range rows {
			row, cr := wb.RawRowView(k), clipped.RawRowView(k)
			for j, v := range row {
				row[j] = v + pen*(cr[j]-v)
				present[k*n+j] = row[j] > 0
			}
		}
	}
	r.WeightsForBonds = wb

	// Previous bonds with columns of recently registered UIDs reset.
	lastTempo := satSub(in.Block, in.Tempo)
	if in.LastEpochBlock != 0 {
		lastTempo = satAdd(in.LastEpochBlock, 1)
	}
	bonds := mat.NewDense(rows, n, nil)
	for k, i := range r.Rows {
		row := bonds.RawRowView(k)
		for _, e := range in.Bonds[i] {
			j := int(e.UID)
			if lastTempo <= in.BlockAtRegistration[j] {
				continue
			}
			if p.Yuma3Enabled {
				row[j] = float64(e.Value) / u16Max
			} else {
				row[j] = float64(e.Value)
			}
		}
	}

	alpha := 1 - float64(p.BondsMovingAverage)/1e6
	r.Alpha = alpha
	divRows := mat.NewVecDense(rows, nil)
	if p.Yuma3Enabled {
		r.LiquidAlpha = p.LiquidAlphaEnabled && !allZero(r.Consensus)
		ema := mat.NewDense(rows, n, nil)
		if r.LiquidAlpha {
			lo, hi := float64(p.AlphaLow)/u16Max, float64(p.AlphaHigh)/u16Max
			steep := float64(p.AlphaSigmoidSteepness)
			for k := range rows {
				er, wr, br := ema.RawRowView(k), wb.RawRowView(k), bonds.RawRowView(k)
				for j := range er {
					if !present[k*n+j] {
						continue
					}
					a := alphaSigmoid(r.Consensus[j], wr[j], br[j], lo, hi, steep)
					er[j] = math.Min((1-a)*br[j]+math.Max(a*wr[j], 0), 1)
				}
			}
		} else {
			emaFixed(ema, wb, bonds, alpha)
		}
		norm := mat.DenseCopyOf(ema)
		colNormalize(norm)
		divRows.MulVec(norm, mat.NewVecDense(n, r.Incentive))
		for k := range rows {
			divRows.SetVec(k, divRows.AtVec(k)*rowStake[k])
		}
		r.Bonds = ema
	} else {
		colNormalize(bonds)
		delta := mat.DenseCopyOf(wb)
		for k := range rows {
			floats.Scale(rowStake[k], delta.RawRowView(k))
		}
		colNormalize(delta)
		ema := mat.NewDense(rows, n, nil)
		emaFixed(ema, delta, bonds, alpha)
		colNormalize(ema)
		divRows.MulVec(ema, mat.NewVecDense(n, r.Incentive))
		r.BondColMax = colMaxUpscale(ema)
		r.Bonds = ema
	}
	for k, uid := range r.Rows {
		r.Dividends[uid] = divRows.AtVec(k)
	}
	normalize(r.Dividends)
}

// emission splits the epoch's emission into server and validator shares and
// sets the pruning scores.
func (r *Result) emission(in *consensus.Input) {
	n := r.N
	combined := make([]float64, n)
	floats.AddTo(combined, r.Incentive, r.Dividends)
	sum := floats.Sum(combined)
	r.NormServerEmission = append([]float64(nil), r.Incentive...)
	r.NormValidatorEmission = append([]float64(nil), r.Dividends...)
	r.PruningScores = combined
	if sum != 0 {
		floats.Scale(1/sum, r.NormServerEmission)
		floats.Scale(1/sum, r.NormValidatorEmission)
		normalize(r.PruningScores)
	} else {
		fallback := r.ActiveStake
		if floats.Sum(r.ActiveStake) == 0 {
			fallback = r.Stake
		}
		copy(r.NormValidatorEmission, fallback)
		copy(r.PruningScores, fallback)
	}
	e := float64(in.Emission)
	r.ServerEmission = make([]float64, n)
	r.ValidatorEmission = make([]float64, n)
	r.Emission = make([]float64, n)
	floats.ScaleTo(r.ServerEmission, e, r.NormServerEmission)
	floats.ScaleTo(r.ValidatorEmission, e, r.NormValidatorEmission)
	floats.ScaleTo(r.Emission, e, r.PruningScores)
}
