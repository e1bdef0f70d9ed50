package subnet

import (
	"testing"

	"github.com/yumachain/yuma/types"
)

func TestSmoke(t *testing.T) {
	e := newEnv(t, nil)
	n := e.newSubnet("alice")
	if n != 1 {
		t.Fatalf("netuid %d", n)
	}
	uid := e.register(n, "bob", "bob-hk")
	e.ok("bob", &types.AddStake{Hotkey: e.addr("bob-hk"), Amount: 10 * tao})
	for range 30 {
		e.block()
	}
	t.Logf("uid %d subnet %+v neuron %+v", uid, e.subnet(n), e.neuron(n, uid))
}
