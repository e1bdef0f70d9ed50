package rpc

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the RPC server's metrics; NopMetrics records nothing.
type Metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	wsConns  prometheus.Gauge
	// known bounds the method label to registered names, so a client
	// cannot blow up the label set with random method names.
	known func(string) bool
}

// NopMetrics returns metrics that are not registered anywhere.
func NopMetrics() *Metrics { return newMetrics() }

func newMetrics() *Metrics {
	return &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "yuma", Subsystem: "rpc", Name: "requests_total",
			Help: "JSON-RPC calls by method and result code (0 = success).",
		}, []string{"method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "yuma", Subsystem: "rpc", Name: "request_seconds",
			Help:    "JSON-RPC call latency by method.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10),
		}, []string{"method"}),
		wsConns: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "yuma", Subsystem: "rpc", Name: "websocket_connections",
			Help: "Open WebSocket connections.",
		}),
	}
}

// PrometheusMetrics creates the metrics and registers them on reg.
func PrometheusMetrics(reg prometheus.Registerer) *Metrics {
	m := newMetrics()
	reg.MustRegister(m.requests, m.latency, m.wsConns)
	return m
}

func (m *Metrics) request(method string, code int, d time.Duration) {
	if m.known != nil && !m.known(method) {
		method = "other"
	}
	if method == "" {
		method = "invalid"
	}
	m.requests.WithLabelValues(method, strconv.Itoa(code)).Inc()
	if d > 0 {
		m.latency.WithLabelValues(method).Observe(d.Seconds())
	}
}
