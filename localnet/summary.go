package localnet

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/yumachain/yuma/emission"
)

// SummaryVersion is the version of the Summary JSON schema (doc.go).
const SummaryVersion = 1

// Summary is the final report of a run (`yuma localnet --json` prints it).
// The schema is documented in doc.go; fields are only ever added.
type Summary struct {
	Version int    `json:"version"`
	ChainID string `json:"chain_id"`
	Home    string `json:"home"`
	// HomeKept is false for a temporary home (removed after the summary).
	HomeKept bool `json:"home_kept"`
	// Reason the run ended: "exit_after", "interrupted" or "error".
	Reason   string `json:"reason"`
	Error    string `json:"error,omitempty"`
	UptimeMS int64  `json:"uptime_ms"`
	// Resumed is true when the home held a network already.
	Resumed bool `json:"resumed"`

	Nodes []SummaryNode `json:"nodes"`
	// Died names the nodes whose process exited during the run.
	Died []string `json:"died"`
	// CommonHeight is the lowest finalized height among the nodes that
	// answered at the end; app hashes and the state below are read there.
	CommonHeight uint64 `json:"common_height"`
	// AppHashAgree: every answering node has the same app hash (state
	// root) at CommonHeight, and at least one node answered.
	AppHashAgree bool   `json:"app_hash_agree"`
	AppHash      string `json:"app_hash"`

	Issuance SummaryIssuance `json:"issuance"`
	Subnet   SummarySubnet   `json:"subnet"`
	Neurons  []SummaryNeuron `json:"neurons"`
	// Processes are the miners and validators.
	Processes  []SummaryProc     `json:"processes"`
	Milestones SummaryMilestones `json:"milestones"`
	// OK: the app hashes agree and the issuance equals the emission
	// schedule.
	OK bool `json:"ok"`
}

// SummaryNode is one node at the end of the run.
type SummaryNode struct {
	Name            string `json:"name"`
	PID             int    `json:"pid"`
	Alive           bool   `json:"alive"` // the process ran until the end
	Exit            string `json:"exit,omitempty"`
	Height          uint64 `json:"height"`
	FinalizedHeight uint64 `json:"finalized_height"`
	// AppHash is the node's app hash at CommonHeight ("" if it did not
	// answer).
	AppHash string `json:"app_hash"`
	RPC     string `json:"rpc"`
	Log     string `json:"log"`
}

// SummaryIssuance compares total issuance with the emission schedule.
type SummaryIssuance struct {
	Height uint64 `json:"height"` // CommonHeight
	Rao    uint64 `json:"rao"`    // chain_supply issuance at Height
	// GenesisRao is the sum of the genesis balances.
	GenesisRao uint64 `json:"genesis_rao"`
	// MintingBlocks is how many blocks minted a reward (every block after
	// the subnet's registration: with no subnet nothing is minted).
	MintingBlocks uint64 `json:"minting_blocks"`
	// ExpectedRao is GenesisRao plus emission.MintBlock over MintingBlocks.
	ExpectedRao uint64 `json:"expected_rao"`
	Matches     bool   `json:"matches"`
}

// SummarySubnet is the localnet's subnet.
type SummarySubnet struct {
	NetUID       uint16 `json:"netuid"`
	Tempo        uint16 `json:"tempo"`
	RegisteredAt uint64 `json:"registered_at"`
	LastEpoch    uint64 `json:"last_epoch"`
	// Epochs completed during this run (after setup).
	Epochs int `json:"epochs"`
}

// SummaryNeuron is one UID at CommonHeight. Fractions are u16 of 65535
// (the *_u16 fields) and the same as decimals.
type SummaryNeuron struct {
	UID          uint16  `json:"uid"`
	Name         string  `json:"name"`
	Role         string  `json:"role"`
	Quality      string  `json:"quality,omitempty"`
	Hotkey       string  `json:"hotkey"`
	StakeRao     uint64  `json:"stake_rao"`
	Incentive    float64 `json:"incentive"`
	IncentiveU16 uint16  `json:"incentive_u16"`
	Dividends    float64 `json:"dividends"`
	DividendsU16 uint16  `json:"dividends_u16"`
	EmissionRao  uint64  `json:"emission_rao"`
	Permit       bool    `json:"validator_permit"`
}

// SummaryProc is a miner or validator process.
type SummaryProc struct {
	Name  string `json:"name"`
	Role  string `json:"role"`
	PID   int    `json:"pid"`
	Alive bool   `json:"alive"`
	Exit  string `json:"exit,omitempty"`
	Log   string `json:"log"`
}

// SummaryMilestones are milliseconds from the start of the run; null when
// not reached.
type SummaryMilestones struct {
	FirstBlockMS     *int64 `json:"first_block_ms"`
	SetupMS          *int64 `json:"setup_ms"`
	FirstEpochMS     *int64 `json:"first_epoch_ms"`
	FirstIncentiveMS *int64 `json:"first_incentive_ms"`
}

func msOrNil(d time.Duration) *int64 {
	if d == 0 {
		return nil
	}
	v := d.Milliseconds()
	return &v
}

// ExpectedIssuance is genesis plus the block reward of blocks minting
// blocks, each at the issuance the previous one left (emission.MintBlock).
func ExpectedIssuance(genesis, blocks uint64) uint64 {
	iss := genesis
	for range blocks {
		iss, _ = emission.MintBlock(iss)
	}
	return iss
}

// summarize reads the final state from the nodes that still answer: it
// must run before they are stopped.
func (o *observer) summarize(ctx context.Context, s *Summary, regAt uint64) {
	s.ChainID = o.m.ChainID
	s.Died = []string{}
	nodes := o.pollNodes(ctx)
	low := ^uint64(0)
	for _, n := range nodes {
		if n.Answering {
			low = min(low, n.Finalized)
		}
	}
	if low == ^uint64(0) {
		low = 0
	}
	s.CommonHeight = low
	ref := -1
	agree := low > 0
	for i, n := range nodes {
		sn := SummaryNode{Name: n.Name, PID: n.PID, Alive: n.Alive, Exit: n.Exit, Height: n.Height, FinalizedHeight: n.Finalized, RPC: n.RPC, Log: n.Log}
		if p := o.sup.Proc(n.Name); p != nil {
			sn.Alive = p.Survived() // killed by a forced stop is not died
		}
		if !sn.Alive && n.PID != 0 {
			s.Died = append(s.Died, n.Name)
		}
		if n.Answering && low > 0 {
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			b, err := o.clients[i].Block(cctx, low)
			cancel()
			if err == nil {
				sn.AppHash = b.AppHash.Hex()
				if ref < 0 {
					ref = i
					s.AppHash = sn.AppHash
				} else if sn.AppHash != s.AppHash {
					agree = false
				}
			} else {
				agree = false
			}
		}
		s.Nodes = append(s.Nodes, sn)
	}
	s.AppHashAgree = agree && ref >= 0

	snap := o.Snapshot()
	s.Subnet = SummarySubnet{NetUID: snap.NetUID, Tempo: snap.Tempo, RegisteredAt: regAt, LastEpoch: snap.LastEpoch, Epochs: snap.Epochs}
	s.Issuance.GenesisRao = o.m.GenesisIssuance
	s.Issuance.Height = low
	if ref >= 0 {
		cl := o.clients[ref]
		h := low
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if sup, err := cl.Supply(cctx, &h); err == nil {
			s.Issuance.Rao = uint64(sup.Issuance)
		}
		if regAt > 0 && low > regAt {
			s.Issuance.MintingBlocks = low - regAt
		}
		s.Issuance.ExpectedRao = ExpectedIssuance(o.m.GenesisIssuance, s.Issuance.MintingBlocks)
		s.Issuance.Matches = s.Issuance.Rao == s.Issuance.ExpectedRao
		if snap.NetUID != 0 {
			if ne, err := cl.SubnetNextEpoch(cctx, snap.NetUID, &h); err == nil {
				s.Subnet.Tempo, s.Subnet.LastEpoch = ne.Tempo, ne.LastEpoch
			}
			if mg, err := cl.SubnetMetagraph(cctx, snap.NetUID, &h); err == nil {
				for _, r := range o.rows(mg) {
					s.Neurons = append(s.Neurons, SummaryNeuron{UID: r.UID, Name: r.Name, Role: r.Role, Quality: r.Quality, Hotkey: r.Hotkey.Hex(),
						StakeRao: r.Stake, Incentive: float64(r.Incentive) / 65535, IncentiveU16: r.Incentive,
						Dividends: float64(r.Dividends) / 65535, DividendsU16: r.Dividends, EmissionRao: r.Emission, Permit: r.Permit})
				}
			}
		}
	}
	for _, p := range o.procs() {
		s.Processes = append(s.Processes, SummaryProc{Name: p.Name, Role: p.Role, PID: p.PID, Alive: p.Alive, Exit: p.Exit, Log: p.Log})
	}
	ms := o.Milestones()
	s.Milestones = SummaryMilestones{FirstBlockMS: msOrNil(ms.FirstBlock), SetupMS: msOrNil(ms.Setup),
		FirstEpochMS: msOrNil(ms.FirstEpoch), FirstIncentiveMS: msOrNil(ms.FirstIncentive)}
	s.OK = s.AppHashAgree && s.Issuance.Matches
}

// Text is the human-readable summary.
func (s *Summary) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n==== localnet summary (%s after %s)\n", strings.ReplaceAll(s.Reason, "_", "-"), dur(time.Duration(s.UptimeMS)*time.Millisecond))
	if s.Error != "" {
		fmt.Fprintf(&b, "error: %s\n", s.Error)
	}
	for _, n := range s.Nodes {
		state := "running"
		if !n.Alive {
			state = "DIED: " + n.Exit
		}
		fmt.Fprintf(&b, "  %-8s height %6d  finalized %6d  app hash@%d %s  %s\n", n.Name, n.Height, n.FinalizedHeight, s.CommonHeight, shortAddr(n.AppHash), state)
	}
	agree := "AGREE"
	if !s.AppHashAgree {
		agree = "DO NOT AGREE"
	}
	fmt.Fprintf(&b, "  app hashes at height %d: %s (%s)\n", s.CommonHeight, agree, s.AppHash)
	if len(s.Died) > 0 {
		fmt.Fprintf(&b, "  nodes that died during the run: %s\n", strings.Join(s.Died, ", "))
	}
	match := "matches"
	if !s.Issuance.Matches {
		match = fmt.Sprintf("DIFFERS from the expected %s", taoText(s.Issuance.ExpectedRao))
	}
	fmt.Fprintf(&b, "  issuance at %d: %s = genesis %s + %d block rewards: %s the emission schedule\n",
		s.Issuance.Height, taoText(s.Issuance.Rao), taoText(s.Issuance.GenesisRao), s.Issuance.MintingBlocks, match)
	if s.Subnet.NetUID != 0 {
		fmt.Fprintf(&b, "  subnet %d: tempo %d, registered at %d, last epoch at %d, %d epochs this run\n",
			s.Subnet.NetUID, s.Subnet.Tempo, s.Subnet.RegisteredAt, s.Subnet.LastEpoch, s.Subnet.Epochs)
		fmt.Fprintf(&b, "  %4s  %-11s %-9s %-8s %9s %9s %20s\n", "UID", "NAME", "ROLE", "QUALITY", "INCENTIVE", "DIVIDENDS", "EMISSION")
		for _, n := range s.Neurons {
			fmt.Fprintf(&b, "  %4d  %-11s %-9s %-8s %9.4f %9.4f %20s\n", n.UID, n.Name, n.Role, dash(n.Quality), n.Incentive, n.Dividends, taoText(n.EmissionRao))
		}
	}
	ms := func(p *int64) string {
		if p == nil {
			return "not reached"
		}
		return fmt.Sprintf("%.1fs", float64(*p)/1000)
	}
	fmt.Fprintf(&b, "  time to: first block %s, setup done %s, first epoch %s, first miner incentive %s\n",
		ms(s.Milestones.FirstBlockMS), ms(s.Milestones.SetupMS), ms(s.Milestones.FirstEpochMS), ms(s.Milestones.FirstIncentiveMS))
	if s.HomeKept {
		fmt.Fprintf(&b, "  home kept: %s (run `yuma localnet --home %s` to resume)\n", s.Home, s.Home)
	}
	return b.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
