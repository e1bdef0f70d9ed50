package axon

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestStartMetagraphRefreshesAndStops(t *testing.T) {
	var calls atomic.Int64
	fetch := func(context.Context) (Snapshot, error) {
		n := calls.Add(1)
		return Snapshot{Block: uint64(n)}, nil
	}
	m, stop, err := StartMetagraph(context.Background(), fetch, 5*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for m.Block() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if m.Block() < 3 {
		t.Fatalf("view not refreshed: block %d", m.Block())
	}
	stop()
	after := calls.Load()
	time.Sleep(30 * time.Millisecond)
	if calls.Load() != after {
		t.Fatal("refresher still running after stop")
	}
	bad := func(context.Context) (Snapshot, error) { return Snapshot{}, errors.New("down") }
	if _, _, err := StartMetagraph(context.Background(), bad, time.Second, nil); err == nil {
		t.Fatal("a failing first fetch was accepted")
	}
}
