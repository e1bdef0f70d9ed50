package miner

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics of the miner. The zero-cost default is NopMetrics; NewMetrics
// registers them with a registry the caller owns.
type Metrics struct {
	// Requests by synapse (or "unknown") and HTTP status code.
	Requests *prometheus.CounterVec
	// Latency of every request by synapse, from the first byte of headers
	// read to the response handed to the connection.
	Latency *prometheus.HistogramVec
	// Rejects by reason: every answer other than 200 (see docs/protocol.md).
	Rejects *prometheus.CounterVec
	// InFlight handlers running, Queued requests waiting for a worker.
	InFlight prometheus.Gauge
	Queued   prometheus.Gauge
	// NonceSyncs counts fsyncs of the nonce file; NonceBatch their sizes.
	NonceSyncs prometheus.Counter
}

func newMetrics() *Metrics {
	const ns, sub = "yuma", "miner"
	return &Metrics{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "requests_total",
			Help: "Requests by synapse and HTTP status."}, []string{"synapse", "code"}),
		Latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: "request_duration_seconds",
			Help: "Request latency by synapse.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"synapse"}),
		Rejects: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "rejects_total",
			Help: "Requests answered with an error, by reason."}, []string{"reason"}),
		InFlight: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "inflight",
			Help: "Handlers running."}),
		Queued: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "queued",
			Help: "Requests waiting for a worker."}),
		NonceSyncs: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "nonce_syncs_total",
			Help: "fsyncs of the nonce file (each covers a batch of requests)."}),
	}
}

// NopMetrics returns metrics registered nowhere: they count, nobody reads.
func NopMetrics() *Metrics { return newMetrics() }

// NewMetrics returns metrics registered with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := newMetrics()
	for _, c := range []prometheus.Collector{m.Requests, m.Latency, m.Rejects, m.InFlight, m.Queued, m.NonceSyncs} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register miner metrics: %w", err)
		}
	}
	return m, nil
}
