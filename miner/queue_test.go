package miner

import (
	"context"
	"errors"
	"testing"
)

// queueWatch returns an onQueue hook and a function that waits until the
// queue holds n requests.
func queueWatch() (func(int), func(n int)) {
	ch := make(chan int, 64)
	return func(n int) { ch <- n }, func(n int) {
		for got := range ch {
			if got == n {
				return
			}
		}
	}
}

func TestAdmissionPriorityOrder(t *testing.T) {
	hook, waitLen := queueWatch()
	a := newAdmission(1, 10, hook)
	ctx := context.Background()
	if err := a.acquire(ctx, 0); err != nil {
		t.Fatal(err)
	}
	served := make(chan uint64, 4)
	for i, prio := range []uint64{1, 5, 3, 5} {
		go func() {
			if err := a.acquire(ctx, prio); err != nil {
				t.Error(err)
				return
			}
			served <- prio
			a.release()
		}()
		waitLen(i + 1)
	}
	a.release()
	var order []uint64
	for range 4 {
		order = append(order, <-served)
	}
	want := []uint64{5, 5, 3, 1}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("served %v, want %v", order, want)
		}
	}
}

func TestAdmissionEvictionAndCancel(t *testing.T) {
	hook, waitLen := queueWatch()
	a := newAdmission(1, 1, hook)
	ctx := context.Background()
	if err := a.acquire(ctx, 0); err != nil {
		t.Fatal(err)
	}
	low := make(chan error, 1)
	go func() { low <- a.acquire(ctx, 1) }()
	waitLen(1)
	if err := a.acquire(ctx, 1); !errors.Is(err, ErrOverloaded) {
		t.Fatalf("equal stake on a full queue: %v", err)
	}
	high := make(chan error, 1)
	go func() { high <- a.acquire(ctx, 9) }()
	if err := <-low; !errors.Is(err, ErrOverloaded) {
		t.Fatalf("evicted waiter: %v", err)
	}
	waitLen(1)
	a.release()
	if err := <-high; err != nil {
		t.Fatal(err)
	}
	// A waiter whose context ends leaves the queue and takes no slot.
	cctx, cancel := context.WithCancel(ctx)
	gone := make(chan error, 1)
	go func() { gone <- a.acquire(cctx, 4) }()
	waitLen(1)
	cancel()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: %v", err)
	}
	a.release()
	if err := a.acquire(ctx, 0); err != nil {
		t.Fatalf("slot lost after a cancelled waiter: %v", err)
	}
}
