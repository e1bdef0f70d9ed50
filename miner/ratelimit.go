package miner

import (
	"sync"
	"time"

	"github.com/yumachain/yuma/types"
)

// rateLimiter is a token bucket per caller. Buckets are created only for
// callers that passed authentication, so the map is bounded by the
// subnet's validators; full buckets are dropped when it grows past
// maxBuckets anyway.
type rateLimiter struct {
	rate  float64 // tokens per second
	burst float64

	mu      sync.Mutex
	buckets map[types.Address]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

const maxBuckets = 4096

func newRateLimiter(rate float64, burst int) *rateLimiter {
	return &rateLimiter{rate: rate, burst: float64(burst), buckets: map[types.Address]*bucket{}}
}

// allow takes a token from caller's bucket at time now.
func (l *rateLimiter) allow(caller types.Address, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[caller]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[caller] = b
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(l.burst, b.tokens+dt*l.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// refund gives back a token allow took, for a request refused right
// after (a replay), up to the burst.
func (l *rateLimiter) refund(caller types.Address) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[caller]; ok {
		b.tokens = min(l.burst, b.tokens+1)
	}
}

// prune drops buckets that would be full by now.
func (l *rateLimiter) prune(now time.Time) {
	for a, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, a)
		}
	}
}
