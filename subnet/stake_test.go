package subnet

import (
	"testing"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

func axon(netuid uint16, ip []byte, port uint16) *types.ServeAxon {
	t := types.IPv4
	if len(ip) == 16 {
		t = types.IPv6
	}
	return &types.ServeAxon{NetUID: netuid, Version: 1, IP: ip, Port: port, IPType: t, Protocol: 4}
}

func ip6(first byte, last byte) []byte {
	b := make([]byte, 16)
	b[0], b[15] = first, last
	return b
}

func TestServeAxon(t *testing.T) {
	e := newEnv(t, nil)
	n := e.newSubnet("alice")
	e.register(n, "bob", "bob-hk")
	e.ok("alice", &types.Transfer{To: e.addr("bob-hk"), Amount: tao})
	e.ok("bob-hk", axon(n, []byte{10, 0, 0, 7}, 8091))
	ax, ok, _ := e.reader().axon(n, e.addr("bob-hk"))
	if !ok || ax.Port != 8091 || ax.Block != e.height || formatEndpoint(&ax) != "10.0.0.7:8091" {
		t.Fatalf("axon %+v", ax)
	}
	served := e.height
	rc := e.fail("bob-hk", axon(n, []byte{10, 0, 0, 8}, 1), ErrServingRateLimited)
	if rc.RetryAt != served+5 {
		t.Fatalf("retry at %d, want %d", rc.RetryAt, served+5)
	}
	for _, tc := range []struct {
		name string
		call *types.ServeAxon
		want *chain.TxError
	}{
		{"unspecified", axon(n, []byte{0, 0, 0, 0}, 1), ErrInvalidIPAddress},
		{"broadcast", axon(n, []byte{255, 255, 255, 255}, 1), ErrInvalidIPAddress},
		{"multicast", axon(n, []byte{224, 0, 0, 1}, 1), ErrInvalidIPAddress},
		{"reserved", axon(n, []byte{240, 1, 2, 3}, 1), ErrInvalidIPAddress},
		{"ipv6 unspecified", axon(n, ip6(0, 0), 1), ErrInvalidIPAddress},
		{"ipv6 multicast", axon(n, ip6(0xff, 1), 1), ErrInvalidIPAddress},
		{"port 0", axon(n, []byte{10, 0, 0, 7}, 0), ErrInvalidPort},
		{"unknown subnet", axon(5, []byte{10, 0, 0, 7}, 1), ErrSubnetNotFound},
		{"not registered here", axon(0, []byte{10, 0, 0, 7}, 1), ErrHotkeyNotRegistered},
	} {
		e.fail("bob-hk", tc.call, tc.want)
	}
	e.advanceTo(served + 5)
	// Loopback is allowed for localnets.
	e.ok("bob-hk", axon(n, []byte{127, 0, 0, 1}, 9000))
	e.advanceTo(e.height + 5)
	e.ok("bob-hk", axon(n, ip6(0, 1), 9000))
	ax, _, _ = e.reader().axon(n, e.addr("bob-hk"))
	if formatEndpoint(&ax) != "[0:0:0:0:0:0:0:1]:9000" {
		t.Fatalf("endpoint %s", formatEndpoint(&ax))
	}
}

func TestServeAxonMismatchedIPType(t *testing.T) {
	// A 4-byte address labelled IPv6 is refused when the call decodes; the
	// module refuses it too if reached directly.
	e := newEnv(t, nil)
	ctx := &chain.Context{Header: chain.Header{Height: 1}, Store: e.st, Bank: chain.NewBank(e.st)}
	err := New().Execute(ctx, e.addr("bob"), &types.ServeAxon{NetUID: 0, IP: []byte{1, 2, 3, 4}, Port: 1, IPType: types.IPv6})
	if !isCode(err, ErrInvalidIPType) {
		t.Fatalf("err %v", err)
	}
}

func TestStake(t *testing.T) {
	e := newEnv(t, nil)
	n := e.newSubnet("alice")
	e.register(n, "bob", "bob-hk")
	bal := e.balance("carol")
	e.ok("carol", &types.AddStake{Hotkey: e.addr("bob-hk"), Amount: 5 * tao})
	e.ok("bob", &types.AddStake{Hotkey: e.addr("bob-hk"), Amount: 2 * tao})
	if e.stakeOf("bob-hk", "carol") != 5*tao || e.totalStake("bob-hk") != 7*tao || e.balance("carol") != bal-5*tao-testFee {
		t.Fatalf("stake %d total %d", e.stakeOf("bob-hk", "carol"), e.totalStake("bob-hk"))
	}
	e.ok("carol", &types.RemoveStake{Hotkey: e.addr("bob-hk"), Amount: 2 * tao})
	if e.stakeOf("bob-hk", "carol") != 3*tao || e.totalStake("bob-hk") != 5*tao || e.balance("carol") != bal-3*tao-2*testFee {
		t.Fatal("remove stake")
	}
	// Leaving dust below the minimum stake (2,000,000 rao) unstakes it all.
	e.ok("carol", &types.RemoveStake{Hotkey: e.addr("bob-hk"), Amount: 3*tao - 1000})
	if e.stakeOf("bob-hk", "carol") != 0 || e.balance("carol") != bal-3*testFee {
		t.Fatalf("dust left: %d", e.stakeOf("bob-hk", "carol"))
	}
	if _, ok, _ := e.st.Get(stakeIdxKey(e.addr("carol"), e.addr("bob-hk"))); ok {
		t.Fatal("stake index kept after unstaking everything")
	}

	e.ok("alice", &types.Transfer{To: e.addr("pauper"), Amount: tao})
	for _, tc := range []struct {
		name   string
		signer string
		call   types.Call
		want   *chain.TxError
	}{
		{"below min stake", "carol", &types.AddStake{Hotkey: e.addr("bob-hk"), Amount: 1_999_999}, ErrStakeTooLow},
		{"unknown hotkey", "carol", &types.AddStake{Hotkey: e.addr("nobody"), Amount: tao}, ErrHotkeyNotFound},
		{"no balance", "pauper", &types.AddStake{Hotkey: e.addr("bob-hk"), Amount: 2 * tao}, chain.ErrInsufficientFunds},
		{"remove zero", "bob", &types.RemoveStake{Hotkey: e.addr("bob-hk"), Amount: 0}, chain.ErrZeroAmount},
		{"remove from unknown hotkey", "bob", &types.RemoveStake{Hotkey: e.addr("nobody"), Amount: 1}, ErrHotkeyNotFound},
		{"remove more than staked", "bob", &types.RemoveStake{Hotkey: e.addr("bob-hk"), Amount: 1000 * tao}, ErrNotEnoughStake},
		{"remove someone else's", "carol", &types.RemoveStake{Hotkey: e.addr("bob-hk"), Amount: 1}, ErrNotEnoughStake},
	} {
		e.fail(tc.signer, tc.call, tc.want)
	}
	if got := New().Spend(&types.AddStake{Amount: 77}); got != 77 {
		t.Fatalf("spend %d", got)
	}
}

func TestDelegateTake(t *testing.T) {
	e := newEnv(t, func(p *Params) { p.MinTake = 100 })
	n := e.newSubnet("alice")
	e.register(n, "bob", "bob-hk")
	hk := e.addr("bob-hk")
	take := func() uint16 { rec, _, _ := e.reader().hotkey(hk); return rec.Take }
	e.ok("bob", &types.SetDelegateTake{Hotkey: hk, Take: 5000}) // decrease: free
	e.ok("bob", &types.SetDelegateTake{Hotkey: hk, Take: 6000}) // first increase
	raised := e.height
	if take() != 6000 {
		t.Fatal("take not set")
	}
	for _, tc := range []struct {
		signer string
		call   *types.SetDelegateTake
		want   *chain.TxError
	}{
		{"carol", &types.SetDelegateTake{Hotkey: hk, Take: 1000}, ErrNotHotkeyOwner},
		{"bob", &types.SetDelegateTake{Hotkey: e.addr("nobody"), Take: 1000}, ErrHotkeyNotFound},
		{"bob", &types.SetDelegateTake{Hotkey: hk, Take: 11_797}, ErrTakeTooHigh},
		{"bob", &types.SetDelegateTake{Hotkey: hk, Take: 99}, ErrTakeTooLow},
		{"bob", &types.SetDelegateTake{Hotkey: hk, Take: 6000}, ErrTakeUnchanged},
		{"bob", &types.SetDelegateTake{Hotkey: hk, Take: 7000}, ErrTakeRateLimited},
	} {
		rc := e.fail(tc.signer, tc.call, tc.want)
		if tc.want == ErrTakeRateLimited && rc.RetryAt != raised+31 {
			t.Fatalf("retry at %d, want %d", rc.RetryAt, raised+31)
		}
	}
	e.ok("bob", &types.SetDelegateTake{Hotkey: hk, Take: 4000}) // decreases stay free
	e.advanceTo(raised + 31)
	e.ok("bob", &types.SetDelegateTake{Hotkey: hk, Take: 11_796})
}
