package node

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the node's own Prometheus metrics. The zero-cost default is
// NopMetrics; PrometheusMetrics registers them on an injected registerer.
type Metrics struct {
	Height          prometheus.Gauge
	Txs             prometheus.Counter
	TxsFailed       prometheus.Counter
	CheckTxRejected prometheus.Counter
	BlockApply      prometheus.Observer
	MempoolSize     prometheus.Gauge
	Peers           prometheus.Gauge
}

// NopMetrics returns metrics that record nothing.
func NopMetrics() *Metrics {
	return &Metrics{
		Height:          prometheus.NewGauge(prometheus.GaugeOpts{Name: "nop"}),
		Txs:             prometheus.NewCounter(prometheus.CounterOpts{Name: "nop"}),
		TxsFailed:       prometheus.NewCounter(prometheus.CounterOpts{Name: "nop"}),
		CheckTxRejected: prometheus.NewCounter(prometheus.CounterOpts{Name: "nop"}),
		BlockApply:      prometheus.NewHistogram(prometheus.HistogramOpts{Name: "nop"}),
		MempoolSize:     prometheus.NewGauge(prometheus.GaugeOpts{Name: "nop"}),
		Peers:           prometheus.NewGauge(prometheus.GaugeOpts{Name: "nop"}),
	}
}

// PrometheusMetrics creates the node metrics and registers them on reg.
func PrometheusMetrics(reg prometheus.Registerer, chainID string) *Metrics {
	labels := prometheus.Labels{"chain_id": chainID}
	f := func(name, help string) prometheus.Opts {
		return prometheus.Opts{Namespace: "yuma", Subsystem: "node", Name: name, Help: help, ConstLabels: labels}
	}
	m := &Metrics{
		Height:          prometheus.NewGauge(prometheus.GaugeOpts(f("height", "Height of the last committed (finalized) block."))),
		Txs:             prometheus.NewCounter(prometheus.CounterOpts(f("txs_total", "Transactions in committed blocks."))),
		TxsFailed:       prometheus.NewCounter(prometheus.CounterOpts(f("txs_failed_total", "Transactions in committed blocks whose call failed."))),
		CheckTxRejected: prometheus.NewCounter(prometheus.CounterOpts(f("checktx_rejected_total", "Transactions refused at mempool admission."))),
		BlockApply: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "yuma", Subsystem: "node", Name: "block_apply_seconds", ConstLabels: labels,
			Help:    "Time from FinalizeBlock to the end of Commit.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}),
		MempoolSize: prometheus.NewGauge(prometheus.GaugeOpts(f("mempool_size", "Transactions waiting in the mempool."))),
		Peers:       prometheus.NewGauge(prometheus.GaugeOpts(f("peers", "Connected peers."))),
	}
	reg.MustRegister(m.Height, m.Txs, m.TxsFailed, m.CheckTxRejected, m.BlockApply.(prometheus.Histogram), m.MempoolSize, m.Peers)
	return m
}
