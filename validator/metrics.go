package validator

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics of the validator: no-op by default (NopMetrics), or registered
// with a registry the caller owns (NewMetrics).
type Metrics struct {
	Rounds prometheus.Counter
	// Queries by result: ok, transport, forged, too_large, http_<code>.
	Queries      *prometheus.CounterVec
	QueryLatency prometheus.Histogram
	// Score is the moving average per UID.
	Score *prometheus.GaugeVec
	// WeightsSet counts successful weight transactions by kind (set,
	// commit, reveal); WeightsSkipped and WeightsFailed the rounds that
	// set none, by reason.
	WeightsSet     *prometheus.CounterVec
	WeightsSkipped *prometheus.CounterVec
	WeightsFailed  *prometheus.CounterVec
	// BlocksSinceUpdate is the age of the validator's last weights update
	// on chain; ActivityWarning is 1 while it is within the margin of
	// activity_cutoff (or past it), else 0.
	BlocksSinceUpdate prometheus.Gauge
	ActivityWarning   prometheus.Gauge
}

func newMetrics() *Metrics {
	const ns, sub = "yuma", "validator"
	return &Metrics{
		Rounds: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "rounds_total",
			Help: "Scoring rounds run."}),
		Queries: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "queries_total",
			Help: "Miner queries by result."}, []string{"result"}),
		QueryLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: "query_duration_seconds",
			Help: "Miner query latency.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 15)}),
		Score: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "score",
			Help: "Moving average score per UID."}, []string{"uid"}),
		WeightsSet: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "weights_set_total",
			Help: "Successful weight transactions by kind."}, []string{"kind"}),
		WeightsSkipped: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "weights_skipped_total",
			Help: "Rounds that did not set weights, by reason."}, []string{"reason"}),
		WeightsFailed: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "weights_failed_total",
			Help: "Failed weight settings, by reason."}, []string{"reason"}),
		BlocksSinceUpdate: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "blocks_since_weights_update",
			Help: "Blocks since this validator's last weights update on chain."}),
		ActivityWarning: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "activity_cutoff_warning",
			Help: "1 when the last weights update is close to (or past) activity_cutoff."}),
	}
}

// NopMetrics returns metrics registered nowhere.
func NopMetrics() *Metrics { return newMetrics() }

// NewMetrics returns metrics registered with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := newMetrics()
	for _, c := range []prometheus.Collector{m.Rounds, m.Queries, m.QueryLatency, m.Score, m.WeightsSet,
		m.WeightsSkipped, m.WeightsFailed, m.BlocksSinceUpdate, m.ActivityWarning} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register validator metrics: %w", err)
		}
	}
	return m, nil
}
