package bench

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/yumachain/yuma/axon"
	"github.com/yumachain/yuma/miner"
)

// minerWorkers is the number of concurrent validators in the load test;
// each has its own hotkey, so its nonces arrive in order.
const minerWorkers = 8

func benchKey(b *testing.B, seed int) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(bytes.Repeat([]byte{byte(seed + 1)}, 32))
	if err != nil {
		b.Fatal(err)
	}
	return k
}

// BenchmarkMinerLoad drives a real miner (built-in backend, durable nonces,
// loopback TCP) with b.N signed textgen requests from minerWorkers
// validators and reports throughput and latency percentiles. Run it with a
// bounded count: go test -run '^$' -bench MinerLoad -benchtime 2000x ./bench/
func BenchmarkMinerLoad(b *testing.B) {
	minerKey := benchKey(b, 100)
	vals := make([]*ecdsa.PrivateKey, minerWorkers)
	neurons := []axon.NeuronInfo{{UID: 0, Hotkey: crypto.PubkeyToAddress(minerKey.PublicKey)}}
	for i := range vals {
		vals[i] = benchKey(b, i)
		neurons = append(neurons, axon.NeuronInfo{UID: uint16(i + 1), Hotkey: crypto.PubkeyToAddress(vals[i].PublicKey), Stake: 1e12, ValidatorPermit: true})
	}
	mg, err := axon.NewMetagraph(neurons...)
	if err != nil {
		b.Fatal(err)
	}
	cfg := miner.TestConfig(minerKey, b.TempDir())
	cfg.RateLimit, cfg.RateBurst = 1e9, 1<<30
	metrics, err := miner.NewMetrics(prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	srv, err := miner.New(cfg, miner.Deps{Metagraph: mg, Metrics: metrics})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	defer func() {
		cancel()
		<-done
		srv.Close()
	}()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: minerWorkers}, Timeout: 10 * time.Second}
	body := []byte(`{"prompt":"the rays of light which are refracted","max_tokens":32}`)

	jobs := make(chan struct{}, b.N)
	for range b.N {
		jobs <- struct{}{}
	}
	close(jobs)
	lat := make([][]time.Duration, minerWorkers)
	errs := make(chan error, minerWorkers)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := range minerWorkers {
		wg.Go(func() {
			var nonce uint64
			for range jobs {
				nonce++
				t0 := time.Now()
				m := axon.RequestMessage{Target: srv.Hotkey(), ChainID: cfg.ChainID, NetUID: cfg.NetUID, Nonce: nonce, Timestamp: uint64(t0.UnixMilli())}
				req, err := axon.NewSignedRequest(ctx, vals[w], base, "textgen", &m, body)
				if err != nil {
					errs <- err
					return
				}
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- fmt.Errorf("status %d", resp.StatusCode)
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	if syncs := testutil.ToFloat64(metrics.NonceSyncs); syncs > 0 {
		b.ReportMetric(float64(len(all))/syncs, "req/fsync")
	}
}

func benchRequest(b *testing.B) (*ecdsa.PrivateKey, axon.RequestMessage) {
	k := benchKey(b, 1)
	return k, axon.RequestMessage{
		Caller: crypto.PubkeyToAddress(k.PublicKey), Target: crypto.PubkeyToAddress(benchKey(b, 2).PublicKey),
		ChainID: "yuma-bench", NetUID: 1, Nonce: 1, Timestamp: 1_700_000_000_000, Path: "/synapse/textgen",
		BodyHash: axon.BodyHash([]byte(`{"prompt":"x","max_tokens":32}`)),
	}
}

// BenchmarkRequestSignVerify is the signature cost of one request: the
// validator signs, the miner verifies (recovers the public key).
func BenchmarkRequestSignVerify(b *testing.B) {
	k, m := benchRequest(b)
	for b.Loop() {
		m.Nonce++
		sig, err := m.Sign(k)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Verify(sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRequestVerify is the miner's part: hash, recover, compare.
func BenchmarkRequestVerify(b *testing.B) {
	k, m := benchRequest(b)
	sig, _ := m.Sign(k)
	for b.Loop() {
		if err := m.Verify(sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResponseSignVerify is the signature cost of one response: the
// miner signs, the validator verifies.
func BenchmarkResponseSignVerify(b *testing.B) {
	k, _ := benchRequest(b)
	addr := crypto.PubkeyToAddress(k.PublicKey)
	r := axon.ResponseMessage{Status: 200, BodyHash: axon.BodyHash([]byte(`{"text":"x"}`))}
	for b.Loop() {
		r.RequestID[0]++
		sig, err := r.Sign(k)
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Verify(sig, addr); err != nil {
			b.Fatal(err)
		}
	}
}
