package miner

import (
	"container/heap"
	"context"
	"sync"
)

// admission bounds concurrency: up to slots requests run at once, up to
// maxQueue wait, highest priority (stake) first and FIFO among equals.
// When the queue is full a newcomer with more stake than the lowest waiter
// evicts it; otherwise the newcomer is refused. Refused and evicted
// requests get ErrOverloaded (503).
type admission struct {
	mu       sync.Mutex
	free     int
	maxQueue int
	seq      uint64
	waiting  waitHeap
	onQueue  func(n int)
}

type waiter struct {
	prio  uint64
	seq   uint64
	index int        // in the heap; -1 once granted or evicted
	ready chan error // receives nil (granted) or ErrOverloaded (evicted)
}

func newAdmission(slots, maxQueue int, onQueue func(int)) *admission {
	if onQueue == nil {
		onQueue = func(int) {}
	}
	return &admission{free: slots, maxQueue: maxQueue, onQueue: onQueue}
}

// acquire waits for a slot. On success the caller must call release.
func (a *admission) acquire(ctx context.Context, prio uint64) error {
	a.mu.Lock()
	if a.free > 0 && len(a.waiting) == 0 {
		a.free--
		a.mu.Unlock()
		return nil
	}
	if len(a.waiting) >= a.maxQueue {
		low := a.lowest()
		if low == nil || low.prio >= prio {
			a.mu.Unlock()
			return ErrOverloaded
		}
		heap.Remove(&a.waiting, low.index)
		low.index = -1
		low.ready <- ErrOverloaded
	}
	w := &waiter{prio: prio, seq: a.seq, ready: make(chan error, 1)}
	a.seq++
	heap.Push(&a.waiting, w)
	a.onQueue(len(a.waiting))
	a.mu.Unlock()

	select {
	case err := <-w.ready:
		return err
	case <-ctx.Done():
		a.mu.Lock()
		if w.index >= 0 {
			heap.Remove(&a.waiting, w.index)
			w.index = -1
			a.onQueue(len(a.waiting))
			a.mu.Unlock()
			return ctx.Err()
		}
		a.mu.Unlock()
		// Granted or evicted meanwhile: give a granted slot back.
		if err := <-w.ready; err == nil {
			a.release()
		}
		return ctx.Err()
	}
}

// release frees a slot, handing it to the best waiter if any.
func (a *admission) release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.waiting) > 0 {
		w := heap.Pop(&a.waiting).(*waiter)
		w.index = -1
		w.ready <- nil
		a.onQueue(len(a.waiting))
		return
	}
	a.free++
}

// lowest is the waiter that would be served last.
func (a *admission) lowest() *waiter {
	var low *waiter
	for _, w := range a.waiting {
		if low == nil || w.prio < low.prio || (w.prio == low.prio && w.seq > low.seq) {
			low = w
		}
	}
	return low
}

// waitHeap is a max-heap by priority, FIFO among equal priorities.
type waitHeap []*waiter

func (h waitHeap) Len() int { return len(h) }
func (h waitHeap) Less(i, j int) bool {
	if h[i].prio != h[j].prio {
		return h[i].prio > h[j].prio
	}
	return h[i].seq < h[j].seq
}
func (h waitHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *waitHeap) Push(x any) {
	w := x.(*waiter)
	w.index = len(*h)
	*h = append(*h, w)
}
func (h *waitHeap) Pop() any {
	old := *h
	w := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return w
}
