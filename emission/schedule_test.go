package emission

import (
	"math/rand/v2"
	"testing"
)

// simulateEras mints one BlockReward per block from issuance 0 until the
// reward is 0, fast-forwarding through each era: it finds the era's length
// by exponential and binary search on BlockReward alone (valid because the
// reward is non-increasing in issuance), independently of the closed form
// Schedule uses.
func simulateEras() []Era {
	var eras []Era
	x, block := uint64(0), uint64(1)
	for {
		r := BlockReward(x)
		e := Era{Halvings: Halvings(x), Reward: r, StartIssuance: x, StartBlock: block}
		if r == 0 {
			return append(eras, e)
		}
		// Smallest j >= 1 with BlockReward(x + j*r) != r: the era has j blocks.
		hi := uint64(1)
		for BlockReward(x+hi*r) == r {
			hi *= 2
		}
		lo := hi / 2 // BlockReward(x + lo*r) == r (or lo == 0)
		for hi-lo > 1 {
			mid := lo + (hi-lo)/2
			if BlockReward(x+mid*r) == r {
				lo = mid
			} else {
				hi = mid
			}
		}
		e.Blocks = hi
		eras = append(eras, e)
		// Minting block by block through the era, with the cap applied.
		for range 3 { // spot-check that Mint agrees with plain addition here
			if nx, m := MintBlock(x); m != r || nx != x+r {
				panic("MintBlock disagrees inside an era")
			}
		}
		x += hi * r
		block += hi
	}
}

// TestScheduleMatchesSimulation: the closed-form table equals the
// fast-forwarded simulation row for row.
func TestScheduleMatchesSimulation(t *testing.T) {
	sim := simulateEras()
	got := Schedule(0, 0)
	if len(got) != len(sim) {
		t.Fatalf("Schedule has %d eras, simulation %d", len(got), len(sim))
	}
	for i := range sim {
		g := got[i]
		g.StartUnix = 0
		if g != sim[i] {
			t.Errorf("era %d: Schedule %+v, simulation %+v", i, got[i], sim[i])
		}
	}
}

// TestScheduleShape checks the table against the reference's halving
// issuances (tests/root.rs test_halving: 1e9 rao until 10.5M TAO, 5e8 from
// 10.5M TAO) and the documented dust bound.
func TestScheduleShape(t *testing.T) {
	eras := Schedule(1679270400, 12) // 2023-03-20T00:00:00Z
	if len(eras) != 31 {
		t.Fatalf("%d eras, want 30 with a reward and a final one", len(eras))
	}
	first := eras[0]
	if first.Reward != 1_000_000_000 || first.StartIssuance != 0 || first.StartBlock != 1 || first.Blocks != 10_500_000 {
		t.Fatalf("era 0 = %+v", first)
	}
	if first.StartUnix != 1679270400+12 {
		t.Fatalf("era 0 starts at %d", first.StartUnix)
	}
	if eras[1].StartIssuance != 10_500_000_000_000_000 || eras[1].Reward != 500_000_000 || eras[1].StartBlock != 10_500_001 {
		t.Fatalf("era 1 = %+v", eras[1])
	}
	for i, e := range eras {
		if e.Halvings != i {
			t.Errorf("era %d has Halvings %d", i, e.Halvings)
		}
		if e.StartUnix != 1679270400+int64(e.StartBlock)*12 {
			t.Errorf("era %d: StartUnix %d for block %d", i, e.StartUnix, e.StartBlock)
		}
		if i > 0 && (e.StartIssuance < HalvingIssuance(i) || e.StartIssuance-HalvingIssuance(i) >= eras[i-1].Reward) {
			t.Errorf("era %d starts at issuance %d, halving issuance %d, previous reward %d", i, e.StartIssuance, HalvingIssuance(i), eras[i-1].Reward)
		}
	}
	last := eras[len(eras)-1]
	if last.Reward != 0 || last.Blocks != 0 || eras[len(eras)-2].Reward != 1 {
		t.Fatalf("last eras %+v %+v", eras[len(eras)-2], last)
	}
	dust := MaxSupply - last.StartIssuance
	// Documented: the dust is at most floor(MaxSupply/2^30) = 19,557,774
	// rao, and exactly that with one reward per block (era 29 mints 1 rao a
	// block and cannot overshoot HalvingIssuance(30)).
	if last.StartIssuance > MaxSupply || dust != 19_557_774 || last.StartIssuance != HalvingIssuance(30) {
		t.Fatalf("minting stops at %d: dust %d rao, documented 19,557,774", last.StartIssuance, dust)
	}
	t.Logf("minting stops at issuance %d after block %d: dust %d rao", last.StartIssuance, last.StartBlock-1, dust)
}

// TestMintNeverExceedsCap mints block after block from random issuances
// (many near the cap) and with random rewards.
func TestMintNeverExceedsCap(t *testing.T) {
	r := rand.New(rand.NewPCG(29, 31))
	for range 2000 {
		x := MaxSupply - r.Uint64N(1<<r.UintN(54)) // 2^54 < MaxSupply
		for range 200 {
			nx, m := MintBlock(x)
			if nx > MaxSupply || nx != x+m || m > BlockReward(x) {
				t.Fatalf("MintBlock(%d) = %d, %d", x, nx, m)
			}
			x = nx
		}
		// Arbitrary rewards, including ones that would overflow.
		y := r.Uint64()
		ny, m := Mint(y, r.Uint64())
		switch {
		case y >= MaxSupply && (ny != y || m != 0):
			t.Fatalf("Mint above the cap changed %d to %d", y, ny)
		case y < MaxSupply && (ny > MaxSupply || ny != y+m):
			t.Fatalf("Mint(%d) = %d, %d", y, ny, m)
		}
	}
	if nx, m := Mint(MaxSupply-5, 10); nx != MaxSupply || m != 5 {
		t.Fatalf("Mint(cap-5, 10) = %d, %d, want cap, 5", nx, m)
	}
}

// TestRewardNonIncreasing: x <= y implies BlockReward(x) >= BlockReward(y),
// for random pairs and across every halving boundary.
func TestRewardNonIncreasing(t *testing.T) {
	r := rand.New(rand.NewPCG(37, 41))
	for range 100000 {
		a, b := r.Uint64N(MaxSupply+1000), r.Uint64N(MaxSupply+1000)
		if a > b {
			a, b = b, a
		}
		if BlockReward(a) < BlockReward(b) {
			t.Fatalf("BlockReward(%d) = %d < BlockReward(%d) = %d", a, BlockReward(a), b, BlockReward(b))
		}
		if Halvings(a) > Halvings(b) {
			t.Fatalf("Halvings(%d) = %d > Halvings(%d) = %d", a, Halvings(a), b, Halvings(b))
		}
	}
	for k := 1; k <= MaxHalvings; k++ {
		e := HalvingIssuance(k)
		if BlockReward(e-1) < BlockReward(e) || Halvings(e-1) != k-1 || Halvings(e) != k {
			t.Fatalf("boundary %d (k=%d): rewards %d, %d; halvings %d, %d", e, k, BlockReward(e-1), BlockReward(e), Halvings(e-1), Halvings(e))
		}
	}
}

func TestBlockTimeSaturates(t *testing.T) {
	if got := blockTime(1<<62, 1<<40, 1<<30); got != maxInt64 {
		t.Fatalf("blockTime overflow = %d", got)
	}
	if got := blockTime(-100, 10, 12); got != 20 {
		t.Fatalf("blockTime(-100, 10, 12) = %d", got)
	}
}
