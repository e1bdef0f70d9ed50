package chainview

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/types"
)

func TestEndpointOf(t *testing.T) {
	for _, tc := range []struct {
		axon *subnet.AxonInfo
		want string
	}{
		{nil, ""},
		{&subnet.AxonInfo{IP: "203.0.113.7", Port: 8091, IPType: 4}, "http://203.0.113.7:8091"},
		{&subnet.AxonInfo{IP: "0:0:0:0:0:0:0:1", Port: 9000, IPType: 6}, "http://[::1]:9000"},
		{&subnet.AxonInfo{IP: "0.0.0.0", Port: 8091, IPType: 4}, ""},
		{&subnet.AxonInfo{IP: "203.0.113.7", Port: 0, IPType: 4}, ""},
		{&subnet.AxonInfo{IP: "not an ip", Port: 1, IPType: 4}, ""},
	} {
		if got := endpointOf(tc.axon); got != tc.want {
			t.Errorf("endpointOf(%+v) = %q, want %q", tc.axon, got, tc.want)
		}
	}
}

func TestSnapshotOf(t *testing.T) {
	hk := types.Address{1}
	mg := subnet.Metagraph{NetUID: 3, Block: 42, N: 2, Neurons: []subnet.NeuronInfo{
		{UID: 0, Hotkey: types.Address{9}},
		{UID: 1, Hotkey: hk, Stake: 77, ValidatorPermit: true, Axon: &subnet.AxonInfo{IP: "10.0.0.1", Port: 1}},
	}}
	s := snapshotOf(mg)
	if s.Block != 42 || len(s.Neurons) != 2 || s.Neurons[0].Endpoint != "" {
		t.Fatalf("snapshot: %+v", s)
	}
	if n := s.Neurons[1]; n.UID != 1 || n.Hotkey != hk || n.Stake != 77 || !n.ValidatorPermit || n.Endpoint != "http://10.0.0.1:1" {
		t.Fatalf("neuron: %+v", n)
	}
}

func TestServeAxonCall(t *testing.T) {
	c, err := serveAxonCall(2, netip.MustParseAddrPort("[::ffff:192.0.2.1]:80"))
	if err != nil || c.IPType != types.IPv4 || len(c.IP) != 4 || c.Port != 80 || c.NetUID != 2 || c.Protocol != AxonProtocolHTTP {
		t.Fatalf("mapped IPv4: %+v %v", c, err)
	}
	c, err = serveAxonCall(2, netip.MustParseAddrPort("[2001:db8::1]:8091"))
	if err != nil || c.IPType != types.IPv6 || len(c.IP) != 16 {
		t.Fatalf("IPv6: %+v %v", c, err)
	}
	for _, bad := range []netip.AddrPort{{}, netip.MustParseAddrPort("0.0.0.0:1"), netip.MustParseAddrPort("[::]:1"), netip.MustParseAddrPort("1.2.3.4:0")} {
		if _, err := serveAxonCall(2, bad); err == nil {
			t.Errorf("endpoint %v accepted", bad)
		}
	}
}

func TestTxErrorMatching(t *testing.T) {
	failed := &TxError{Kind: types.KindSetWeights, Height: 9, Code: "weights_rate_limited", Message: "too soon", RetryAt: 12}
	if !errors.Is(failed, ErrTxFailed) || errors.Is(failed, ErrTxRejected) || !errors.Is(failed, subnet.ErrWeightsRateLimited) || errors.Is(failed, subnet.ErrRevealTooEarly) {
		t.Fatalf("failed receipt matching: %v", failed)
	}
	var ce *chain.TxError
	if !errors.As(failed, &ce) || ce.RetryAt != 12 {
		t.Fatalf("as chain.TxError: %+v", ce)
	}
	rejected := &TxError{Kind: types.KindTransfer, Code: "bad_nonce", Message: "x"}
	if !errors.Is(rejected, ErrTxRejected) || errors.Is(rejected, ErrTxFailed) || !errors.Is(rejected, chain.ErrBadNonce) || !lostNonce(rejected) || lostNonce(failed) {
		t.Fatalf("rejection matching: %v", rejected)
	}
	if got := failed.Error(); got != "set_weights transaction "+(types.Hash{}).Hex()+" failed in block 9: weights_rate_limited: too soon (retry at block 12)" {
		t.Fatalf("message: %s", got)
	}
}

func TestTxMessage(t *testing.T) {
	te := subnet.ErrWeightsRateLimited.RetryAfter(30, "last update at block 26")
	if got := txMessage(te.Error(), rpc.TxErrorData{Code: te.Code, RetryAt: 30}); got != "last update at block 26" {
		t.Fatalf("with retry: %q", got)
	}
	te = chain.ErrBadNonce.With("nonce 3, account expects 4")
	if got := txMessage(te.Error(), rpc.TxErrorData{Code: te.Code}); got != "nonce 3, account expects 4" {
		t.Fatalf("without retry: %q", got)
	}
}
