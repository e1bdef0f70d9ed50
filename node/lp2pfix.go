package node

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"
	"unsafe"

	"github.com/cometbft/cometbft/lp2p"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// The libp2p transport of CometBFT v0.40 removes a peer only when opening a
// stream to it fails with "all dials failed". A peer that dies and comes
// back before that happens keeps its old entry on the other nodes, and with
// it the consensus reactor's PeerState: the restarted peer announces a
// lower round step, which PeerState ignores as a "decrease", so nobody
// re-sends it the votes and block parts it lost. A network that lost its
// quorum then stays halted long after the nodes return.
//
// peerResetter closes that gap from the outside: it watches libp2p
// connection events and, when a connection to a known peer closes (a
// QUIC idle timeout, or the stateless reset a restarted peer sends for
// connections it no longer knows), it stops the peer with a transient
// error. The switch then removes it from every reactor and reconnects it
// (bootstrap peers are persistent), so it comes back with fresh state.
// See docs/adr/0001-block-engine.md and docs/upstream/lp2p-stale-peer.md.
type peerResetter struct {
	sw  *lp2p.Switch
	log *slog.Logger
	now func() time.Time

	mu sync.Mutex
	// stopped is set when the node shuts down: closes are then expected.
	stopped bool
	// reset is when each peer was last reset by us; a close of a
	// connection opened before that is the fallout of our own reset.
	reset map[peer.ID]time.Time
	// resets counts resets, for tests and metrics.
	resets int
}

// errConnClosed is the transient reason a peer is reset with.
var errConnClosed = errors.New("libp2p connection to peer closed")

// applyLibP2PFix installs the peer resetter on a node that uses the libp2p
// transport. It is a no-op on the TCP transport.
func applyLibP2PFix(cmt *cmtnode.Node, logger *slog.Logger) (*peerResetter, error) {
	sw, ok := cmt.Switch().(*lp2p.Switch)
	if !ok {
		return nil, nil
	}
	h, err := switchHost(sw)
	if err != nil {
		return nil, err
	}
	r := &peerResetter{sw: sw, log: logger.With("module", "p2p-reset"), now: time.Now, reset: map[peer.ID]time.Time{}}
	h.Network().Notify(&network.NotifyBundle{DisconnectedF: r.disconnected})
	return r, nil
}

// switchHost reads the libp2p host out of the switch, which does not
// export it. The field's name and type are pinned by the CometBFT version
// in go.mod; TestSwitchHostAccessor fails if an upgrade moves them.
func switchHost(sw *lp2p.Switch) (*lp2p.Host, error) {
	f := reflect.ValueOf(sw).Elem().FieldByName("host")
	if !f.IsValid() || f.Type() != reflect.TypeOf((*lp2p.Host)(nil)) {
		return nil, fmt.Errorf("node: lp2p.Switch has no host field of type *lp2p.Host (CometBFT changed; revisit the libp2p peer reset)")
	}
	h := *(**lp2p.Host)(unsafe.Pointer(f.UnsafeAddr()))
	if h == nil {
		return nil, errors.New("node: lp2p.Switch host is nil")
	}
	return h, nil
}

func (r *peerResetter) disconnected(_ network.Network, c network.Conn) {
	pid, opened := c.RemotePeer(), c.Stat().Opened
	// Notifications must not block the swarm.
	go r.handle(pid, opened)
}

func (r *peerResetter) handle(pid peer.ID, opened time.Time) {
	if !r.sw.IsRunning() {
		return
	}
	p := r.sw.Peers().Get(p2p.ID(pid.String()))
	if p == nil {
		return // not a peer (yet), or already removed
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return
	}
	if last, ok := r.reset[pid]; ok && !opened.After(last) {
		r.mu.Unlock()
		return
	}
	r.reset[pid] = r.now()
	r.resets++
	r.log.Info("connection to peer closed: resetting it so it resyncs", "peer_id", pid.String())
	r.sw.StopPeerForError(p, &p2p.ErrorTransient{Err: errConnClosed})
}

// stop disables the resetter and waits for a reset in progress, so the
// node's shutdown does not race a reconnect.
func (r *peerResetter) stop() {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.stopped = true
	r.mu.Unlock()
}

// Resets returns how many times peers were reset.
func (r *peerResetter) Resets() int {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resets
}
