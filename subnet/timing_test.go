package subnet

import "testing"

// TestRevealWindowMatchesRevealRules checks RevealWindow against the rules
// revealWeights applies block by block: inside the window a commit is
// neither too early nor expired; the block before is too early and the
// block after has expired.
func TestRevealWindowMatchesRevealRules(t *testing.T) {
	for _, netuid := range []uint16{0, 1, 2, 7} {
		for _, tempo := range []uint16{1, 2, 3, 10, 360} {
			for _, period := range []uint64{0, 1, 3} {
				hp := Hyperparams{Tempo: tempo, CommitRevealPeriod: period}
				for commit := uint64(0); commit < 3*uint64(tempo)+5; commit++ {
					first, last := RevealWindow(netuid, tempo, period, commit)
					if first > last || (period > 0 && first <= commit) {
						t.Fatalf("netuid %d tempo %d period %d commit %d: window %d..%d", netuid, tempo, period, commit, first, last)
					}
					if last-first != uint64(tempo) && first != 0 {
						t.Fatalf("netuid %d tempo %d commit %d: window %d..%d is not one epoch", netuid, tempo, commit, first, last)
					}
					reveal := epochIndex(netuid, tempo, commit) + period
					open := func(b uint64) bool {
						return epochIndex(netuid, tempo, b) >= reveal && !commitExpired(netuid, &hp, commit, b)
					}
					for b := first; b <= last; b++ {
						if !open(b) {
							t.Fatalf("netuid %d tempo %d period %d commit %d: block %d in window %d..%d is refused", netuid, tempo, period, commit, b, first, last)
						}
					}
					if (first > 0 && open(first-1)) || open(last+1) {
						t.Fatalf("netuid %d tempo %d period %d commit %d: window %d..%d is too narrow", netuid, tempo, period, commit, first, last)
					}
				}
			}
		}
	}
}
