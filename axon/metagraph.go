package axon

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/yumachain/yuma/types"
)

// NeuronInfo is what the off-chain roles need to know about one neuron of
// a subnet.
type NeuronInfo struct {
	UID             uint16
	Hotkey          types.Address
	Stake           uint64 // rao staked behind the hotkey
	ValidatorPermit bool
	// Endpoint is the base URL of the neuron's axon ("http://ip:port"),
	// empty if it serves none. See EndpointURL.
	Endpoint string
}

// Snapshot is the subnet's neurons as of one block.
type Snapshot struct {
	Block   uint64
	Neurons []NeuronInfo
}

// Fetch reads a fresh snapshot from the chain (the RPC client provides it).
type Fetch func(ctx context.Context) (Snapshot, error)

// Metagraph is an in-memory view of one subnet's neurons, safe for
// concurrent use. Use it directly in tests (Set), or keep it fresh from the
// chain with Follow. It satisfies the consumer-side metagraph interfaces of
// package miner and package validator.
type Metagraph struct {
	mu       sync.RWMutex
	snap     Snapshot
	byHotkey map[types.Address]int
	byUID    map[uint16]int
}

// NewMetagraph returns a metagraph holding neurons at block 0.
func NewMetagraph(neurons ...NeuronInfo) (*Metagraph, error) {
	m := &Metagraph{}
	if err := m.Set(Snapshot{Neurons: neurons}); err != nil {
		return nil, err
	}
	return m, nil
}

// Set replaces the view. Duplicate UIDs or hotkeys are refused and leave
// the view unchanged.
func (m *Metagraph) Set(s Snapshot) error {
	neurons := slices.Clone(s.Neurons)
	slices.SortFunc(neurons, func(a, b NeuronInfo) int { return cmp.Compare(a.UID, b.UID) })
	byHotkey := make(map[types.Address]int, len(neurons))
	byUID := make(map[uint16]int, len(neurons))
	for i, n := range neurons {
		if _, dup := byUID[n.UID]; dup {
			return fmt.Errorf("metagraph snapshot: uid %d twice", n.UID)
		}
		if _, dup := byHotkey[n.Hotkey]; dup {
			return fmt.Errorf("metagraph snapshot: hotkey %s twice", n.Hotkey)
		}
		byUID[n.UID] = i
		byHotkey[n.Hotkey] = i
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.snap = Snapshot{Block: s.Block, Neurons: neurons}
	m.byHotkey, m.byUID = byHotkey, byUID
	return nil
}

// Neuron returns the neuron registered with hotkey.
func (m *Metagraph) Neuron(hotkey types.Address) (NeuronInfo, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	i, ok := m.byHotkey[hotkey]
	if !ok {
		return NeuronInfo{}, false
	}
	return m.snap.Neurons[i], true
}

// NeuronByUID returns the neuron at uid.
func (m *Metagraph) NeuronByUID(uid uint16) (NeuronInfo, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	i, ok := m.byUID[uid]
	if !ok {
		return NeuronInfo{}, false
	}
	return m.snap.Neurons[i], true
}

// Neurons returns a copy of all neurons, sorted by UID.
func (m *Metagraph) Neurons() []NeuronInfo {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.snap.Neurons)
}

// Block is the block of the current view.
func (m *Metagraph) Block() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.snap.Block
}

// Refresh replaces the view with fetch's snapshot. On error the previous
// view is kept.
func (m *Metagraph) Refresh(ctx context.Context, fetch Fetch) error {
	s, err := fetch(ctx)
	if err != nil {
		return fmt.Errorf("fetch metagraph: %w", err)
	}
	return m.Set(s)
}

// Follow refreshes the view from fetch now and then every interval until
// ctx ends. A failed refresh is logged and the previous view kept (a miner
// keeps serving the validators it knew; a validator keeps scoring the
// miners it knew). It returns ctx's error.
func (m *Metagraph) Follow(ctx context.Context, fetch Fetch, every time.Duration, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := m.Refresh(ctx, fetch); err != nil && ctx.Err() == nil {
			log.Warn("metagraph refresh failed; keeping the previous view", "err", err, "block", m.Block())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// StartMetagraph fetches a first view (which must succeed) and keeps it
// fresh in the background every interval (see Follow). stop ends the
// refresher and returns once it has stopped. Miners and validators both
// run their chain view this way.
func StartMetagraph(ctx context.Context, fetch Fetch, every time.Duration, log *slog.Logger) (m *Metagraph, stop func(), err error) {
	m = &Metagraph{}
	if err := m.Refresh(ctx, fetch); err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = m.Follow(ctx, fetch, every, log)
	}()
	return m, func() { cancel(); <-done }, nil
}

// EndpointURL is the base URL of an axon published on chain with
// ServeAxon (ip is 4 or 16 bytes). It returns "" for an invalid or
// unspecified address.
func EndpointURL(ip []byte, port uint16) string {
	addr, ok := netip.AddrFromSlice(ip)
	if !ok || addr.IsUnspecified() || port == 0 {
		return ""
	}
	return "http://" + net.JoinHostPort(addr.Unmap().String(), strconv.Itoa(int(port)))
}
