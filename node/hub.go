package node

import (
	"sync"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/types"
)

// hub fans committed blocks out to head subscribers and to clients waiting
// for a transaction. Sends never block the ABCI goroutine: a subscriber
// whose buffer is full misses that head.
type hub struct {
	mu      sync.Mutex
	subs    map[chan rpc.Head]struct{}
	waiters map[types.Hash][]chan txLanded
	chainID string
}

type txLanded struct {
	height  uint64
	index   uint32
	receipt chain.Receipt
}

func newHub() *hub {
	return &hub{subs: map[chan rpc.Head]struct{}{}, waiters: map[types.Hash][]chan txLanded{}}
}

func (h *hub) subscribe(buf int) chan rpc.Head {
	ch := make(chan rpc.Head, buf)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch
}

func (h *hub) unsubscribe(ch chan rpc.Head) {
	h.mu.Lock()
	if _, ok := h.subs[ch]; ok {
		delete(h.subs, ch)
		close(ch)
	}
	h.mu.Unlock()
}

// wait registers interest in a transaction; the channel receives once.
func (h *hub) wait(hash types.Hash) chan txLanded {
	ch := make(chan txLanded, 1)
	h.mu.Lock()
	h.waiters[hash] = append(h.waiters[hash], ch)
	h.mu.Unlock()
	return ch
}

func (h *hub) cancel(hash types.Hash, ch chan txLanded) {
	h.mu.Lock()
	defer h.mu.Unlock()
	list := h.waiters[hash]
	for i, c := range list {
		if c == ch {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(h.waiters, hash)
	} else {
		h.waiters[hash] = list
	}
}

func (h *hub) publish(rec *blockRecord) {
	head := headOf(h.chainID, rec)
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- head:
		default:
		}
	}
	if len(h.waiters) == 0 {
		return
	}
	for i := range rec.Receipts {
		hash := rec.Receipts[i].TxHash
		list, ok := h.waiters[hash]
		if !ok {
			continue
		}
		for _, ch := range list {
			ch <- txLanded{height: rec.Height, index: uint32(i), receipt: rec.Receipts[i]}
		}
		delete(h.waiters, hash)
	}
}

func headOf(chainID string, rec *blockRecord) rpc.Head {
	return rpc.Head{
		ChainID: chainID, Height: rec.Height, FinalizedHeight: rec.Height,
		BlockHash: hexBytes(rec.BlockHash), AppHash: rec.AppHash, Time: int64(rec.Time), NumTxs: len(rec.Txs),
	}
}
