package localnet

import (
	"context"
	"path/filepath"
	"sync"
	"time"

	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/types"
)

// NodeStatus is one node as last seen.
type NodeStatus struct {
	Name      string
	PID       int
	Alive     bool   // the process runs
	Exit      string // how it ended, if it did
	Answering bool   // its RPC answered the last poll
	Height    uint64
	Finalized uint64
	AppHash   types.Hash
	Peers     int
	RPC       string // http://host:port
	Metrics   string // http://host:port/metrics, or ""
	Log       string
}

// ProcStatus is a miner or validator process as last seen.
type ProcStatus struct {
	Name  string
	Role  string
	PID   int
	Alive bool
	Exit  string
	Log   string
	// Detail: a miner's quality and axon, a validator's stake.
	Detail  string
	Metrics string // http://host:port/metrics, or ""
}

// NeuronRow is one UID of the metagraph with its localnet name.
type NeuronRow struct {
	UID       uint16
	Name      string // wallet name, or "" for a hotkey not of this localnet
	Role      string
	Quality   string
	Hotkey    types.Address
	Stake     uint64
	Incentive uint16
	Dividends uint16
	Trust     uint16
	Emission  uint64
	Permit    bool
	Axon      string
}

// Snapshot is what the live view shows: it is built by the observer and
// rendered by the view functions, which do no I/O.
type Snapshot struct {
	ChainID string
	Home    string
	At      time.Time
	Uptime  time.Duration
	Nodes   []NodeStatus
	Procs   []ProcStatus
	// Head is the highest finalized height of any answering node.
	Head   uint64
	NetUID uint16
	Tempo  uint16
	// NextEpoch is the block of the subnet's next epoch, BlocksLeft the
	// blocks until it, LastEpoch the block of the last one.
	NextEpoch  uint64
	BlocksLeft uint64
	LastEpoch  uint64
	// Epochs completed since this run's setup.
	Epochs   int
	Issuance uint64
	// Metagraph as of MetagraphBlock (refreshed after every epoch).
	Metagraph      []NeuronRow
	MetagraphBlock uint64
}

// Milestones are the times from the start of the run to the first
// finalized block, the end of setup, the first completed epoch after setup
// and the first non-zero miner incentive; zero until reached.
type Milestones struct {
	FirstBlock     time.Duration
	Setup          time.Duration
	FirstEpoch     time.Duration
	FirstIncentive time.Duration
}

// observer polls the nodes and keeps what the view and the summary need.
type observer struct {
	home    string
	m       *Manifest
	sup     *Supervisor
	clients []*rpc.Client
	start   time.Time
	netuid  uint16

	mu         sync.Mutex
	snap       Snapshot
	milestones Milestones
	startHead  uint64 // the best height when this run began (a resumed chain)
	setupHead  uint64 // the best height when setup finished; 0 before
	lastEpoch  uint64
}

func newObserver(home string, m *Manifest, sup *Supervisor, start time.Time) *observer {
	o := &observer{home: home, m: m, sup: sup, start: start}
	for _, n := range m.Nodes {
		cl, _ := rpc.Dial("http://" + n.RPC)
		o.clients = append(o.clients, cl)
	}
	return o
}

// setupDone records the end of setup: epochs are counted from here.
func (o *observer) setupDone(netuid uint16, head uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.netuid, o.setupHead = netuid, max(head, 1)
	o.milestones.Setup = time.Since(o.start)
}

func (o *observer) Milestones() Milestones {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.milestones
}

func (o *observer) Snapshot() Snapshot {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.snap
}

// pollNodes asks every node for its head and peers, in parallel.
func (o *observer) pollNodes(ctx context.Context) []NodeStatus {
	out := make([]NodeStatus, len(o.m.Nodes))
	var wg sync.WaitGroup
	for i, n := range o.m.Nodes {
		st := NodeStatus{Name: n.Name, RPC: "http://" + n.RPC, Log: filepath.Join(o.home, LogsDir, n.Name+".log")}
		if n.Metrics != "" {
			st.Metrics = "http://" + n.Metrics + "/metrics"
		}
		if p := o.sup.Proc(n.Name); p != nil {
			st.PID, st.Alive, st.Exit = p.Pid(), p.Running(), p.Exit()
		}
		out[i] = st
		if !st.Alive {
			continue
		}
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			var head rpc.Head
			var peers []rpc.Peer
			calls := []rpc.BatchCall{{Method: rpc.MethodHead, Result: &head}, {Method: rpc.MethodPeers, Result: &peers}}
			if err := o.clients[i].Batch(cctx, calls); err != nil || calls[0].Err != nil {
				return
			}
			out[i].Answering = true
			out[i].Height, out[i].Finalized, out[i].AppHash, out[i].Peers = head.Height, head.FinalizedHeight, head.AppHash, len(peers)
		})
	}
	wg.Wait()
	return out
}

// best is the index of the answering node with the highest height, or -1.
func best(nodes []NodeStatus) int {
	b := -1
	for i, n := range nodes {
		if n.Answering && (b < 0 || n.Finalized > nodes[b].Finalized) {
			b = i
		}
	}
	return b
}

// poll refreshes the snapshot. It reports whether the best height moved
// and whether an epoch completed since the last poll.
func (o *observer) poll(ctx context.Context) (newBlock, newEpoch bool) {
	nodes := o.pollNodes(ctx)
	o.mu.Lock()
	prev := o.snap
	netuid, setupHead := o.netuid, o.setupHead
	o.mu.Unlock()

	s := Snapshot{ChainID: o.m.ChainID, Home: o.home, At: time.Now(), Uptime: time.Since(o.start), Nodes: nodes, Procs: o.procs(), NetUID: netuid,
		Tempo: prev.Tempo, NextEpoch: prev.NextEpoch, BlocksLeft: prev.BlocksLeft, LastEpoch: prev.LastEpoch,
		Epochs: prev.Epochs, Issuance: prev.Issuance, Metagraph: prev.Metagraph, MetagraphBlock: prev.MetagraphBlock}
	b := best(nodes)
	if b >= 0 {
		s.Head = nodes[b].Finalized
	}
	newBlock = s.Head > prev.Head
	if b >= 0 && setupHead > 0 && newBlock {
		cl := o.clients[b]
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		var ne subnet.NextEpochInfo
		var sup rpc.Supply
		calls := []rpc.BatchCall{
			{Method: rpc.MethodSubnetNextEpoch, Params: []any{netuid}, Result: &ne},
			{Method: rpc.MethodSupply, Result: &sup},
		}
		if err := cl.Batch(cctx, calls); err == nil {
			if calls[0].Err == nil {
				s.Tempo, s.NextEpoch, s.BlocksLeft, s.LastEpoch = ne.Tempo, ne.NextEpoch, ne.BlocksRemaining, ne.LastEpoch
			}
			if calls[1].Err == nil {
				s.Issuance = uint64(sup.Issuance)
			}
		}
		if s.LastEpoch != o.lastEpoch || s.Metagraph == nil {
			if mg, err := cl.SubnetMetagraph(cctx, netuid, nil); err == nil {
				s.Metagraph, s.MetagraphBlock = o.rows(mg), mg.Block
				if s.LastEpoch != o.lastEpoch && s.LastEpoch > setupHead {
					s.Epochs++
					newEpoch = true
				}
				o.lastEpoch = s.LastEpoch
			}
		}
		cancel()
	}

	o.mu.Lock()
	defer o.mu.Unlock()
	since := time.Since(o.start)
	if o.startHead == 0 && prev.At.IsZero() {
		o.startHead = s.Head
	}
	if o.milestones.FirstBlock == 0 && s.Head > o.startHead {
		o.milestones.FirstBlock = since
	}
	if o.milestones.FirstEpoch == 0 && s.Epochs > 0 {
		o.milestones.FirstEpoch = since
	}
	if o.milestones.FirstIncentive == 0 {
		for _, r := range s.Metagraph {
			if r.Role == RoleMiner && r.Incentive > 0 {
				o.milestones.FirstIncentive = since
				break
			}
		}
	}
	o.snap = s
	return newBlock, newEpoch
}

// procs is the state of the miner and validator processes.
func (o *observer) procs() []ProcStatus {
	var out []ProcStatus
	for _, nr := range append(append([]NeuronInfo{}, o.m.Miners...), o.m.Validators...) {
		ps := ProcStatus{Name: nr.Name, Role: nr.Role, Log: filepath.Join(o.home, LogsDir, nr.Name+".log")}
		if nr.Metrics != "" {
			ps.Metrics = "http://" + nr.Metrics + "/metrics"
		}
		if nr.Role == RoleMiner {
			ps.Detail = nr.Quality + ", axon " + nr.Axon
		} else {
			ps.Detail = taoText(nr.Stake) + " staked"
		}
		if p := o.sup.Proc(nr.Name); p != nil {
			ps.PID, ps.Alive, ps.Exit = p.Pid(), p.Survived(), p.Exit()
		}
		out = append(out, ps)
	}
	return out
}

// rows names the metagraph's UIDs after the localnet's wallets.
func (o *observer) rows(mg subnet.Metagraph) []NeuronRow {
	byHot := map[types.Address]NeuronInfo{}
	for _, nr := range o.m.neurons() {
		byHot[nr.HotAddr] = nr
	}
	rows := make([]NeuronRow, 0, len(mg.Neurons))
	for _, n := range mg.Neurons {
		nr := byHot[n.Hotkey]
		r := NeuronRow{UID: n.UID, Name: nr.Name, Role: nr.Role, Quality: nr.Quality, Hotkey: n.Hotkey, Stake: uint64(n.Stake),
			Incentive: n.Incentive, Dividends: n.Dividends, Trust: n.Trust, Emission: uint64(n.Emission), Permit: n.ValidatorPermit}
		if n.Axon != nil {
			r.Axon = n.Axon.Endpoint
		}
		rows = append(rows, r)
	}
	return rows
}
