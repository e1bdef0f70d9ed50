package rpc

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/chain/chaintest"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/types"
)

// subnetState is a chain with the subnet module after a few blocks, served
// at its latest height only.
type subnetState struct {
	st     *chaintest.MemStore
	height uint64
}

func (s *subnetState) StateAt(_ context.Context, h Height) (chain.Reader, uint64, error) {
	if h != nil && *h != s.height {
		return nil, 0, &Error{Code: CodeNotFound, Message: "state not kept"}
	}
	return s.st, s.height, nil
}

func subnetChain(t *testing.T) (*subnetState, map[string]types.Address) {
	t.Helper()
	keys := map[string]*ecdsa.PrivateKey{}
	addrs := map[string]types.Address{}
	for _, n := range []string{"owner", "owner-hk", "miner", "miner-hk", "auth"} {
		k, err := crypto.ToECDSA(crypto.Keccak256([]byte("rpc-subnet/" + n)))
		if err != nil {
			t.Fatal(err)
		}
		keys[n], addrs[n] = k, crypto.PubkeyToAddress(k.PublicKey)
	}
	g := &chain.Genesis{
		ChainID: "rpc-subnet", GenesisTime: "2026-01-01T00:00:00Z", Params: chain.Params{MinFee: 1},
		Authorities: []chain.Authority{{Name: "a", PubKey: "0x" + hex.EncodeToString(crypto.CompressPubkey(&keys["auth"].PublicKey)), Power: 1}},
		Admin:       addrs["owner"],
	}
	for _, n := range []string{"owner", "miner", "miner-hk"} {
		g.Accounts = append(g.Accounts, chain.GenesisAccount{Address: addrs[n], Balance: chain.U64(10_000 * chain.RaoPerTAO)})
	}
	rt, err := chain.NewRuntime(g, subnet.New())
	if err != nil {
		t.Fatal(err)
	}
	s := &subnetState{st: chaintest.NewMemStore()}
	if err := rt.InitGenesis(s.st); err != nil {
		t.Fatal(err)
	}
	nonces := map[string]uint64{}
	do := func(who string, call types.Call) {
		tx, err := types.NewTx(g.ChainID, nonces[who], 1, call)
		if err != nil {
			t.Fatal(err)
		}
		nonces[who]++
		if err := tx.Sign(keys[who]); err != nil {
			t.Fatal(err)
		}
		raw, _ := tx.Encode()
		s.height++
		res, err := rt.ApplyBlock(s.st, chain.Header{ChainID: g.ChainID, Height: s.height}, [][]byte{raw}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rc := res.Receipts[0]; !rc.OK() {
			t.Fatalf("%T: %s: %s", call, rc.Code, rc.Msg)
		}
	}
	do("owner", &types.RegisterNetwork{Hotkey: addrs["owner-hk"]})
	do("miner", &types.BurnedRegister{NetUID: 1, Hotkey: addrs["miner-hk"]})
	do("miner", &types.AddStake{Hotkey: addrs["miner-hk"], Amount: 3 * chain.RaoPerTAO})
	do("miner-hk", &types.ServeAxon{NetUID: 1, Version: 2, IP: []byte{10, 0, 0, 9}, Port: 7000, IPType: types.IPv4, Protocol: 4})
	return s, addrs
}

func TestSubnetMethods(t *testing.T) {
	state, addrs := subnetChain(t)
	s, c, _ := startServer(t, DefaultConfig())
	RegisterSubnetMethods(s, state)
	ctx := context.Background()

	list, err := c.SubnetList(ctx, nil)
	if err != nil || len(list) != 2 || list[1].NetUID != 1 || list[1].Owner != addrs["owner"] || list[1].N != 2 {
		t.Fatalf("list %+v %v", list, err)
	}
	info, err := c.SubnetInfo(ctx, 1, &state.height)
	if err != nil || info.Hyperparameters.Tempo != 360 || info.OwnerHotkey != addrs["owner-hk"] || info.NextEpoch <= state.height {
		t.Fatalf("info %+v %v", info, err)
	}
	hp, err := c.SubnetHyperparameters(ctx, 1, nil)
	if err != nil || hp.MaxAllowedUIDs != 256 || hp.Kappa != 32_767 {
		t.Fatalf("hyperparameters %+v %v", hp, err)
	}
	mg, err := c.SubnetMetagraph(ctx, 1, nil)
	if err != nil || len(mg.Neurons) != 2 || mg.Neurons[1].Hotkey != addrs["miner-hk"] || uint64(mg.Neurons[1].Stake) != 3*chain.RaoPerTAO ||
		mg.Neurons[1].Axon == nil || mg.Neurons[1].Axon.Endpoint != "10.0.0.9:7000" || mg.Block != state.height {
		t.Fatalf("metagraph %+v %v", mg, err)
	}
	ns, err := c.SubnetNeuron(ctx, addrs["miner-hk"], nil)
	if err != nil || len(ns) != 1 || ns[0].NetUID != 1 || ns[0].UID != 1 || ns[0].Coldkey != addrs["miner"] {
		t.Fatalf("neuron %+v %v", ns, err)
	}
	lc, err := c.SubnetLockCost(ctx, nil)
	if err != nil || lc.Block != state.height+1 || lc.Cost == 0 || lc.Subnets != 1 {
		t.Fatalf("lock cost %+v %v", lc, err)
	}
	bc, err := c.SubnetBurnCost(ctx, 1, nil)
	if err != nil || bc.Cost == 0 || bc.NetUID != 1 {
		t.Fatalf("burn cost %+v %v", bc, err)
	}
	ne, err := c.SubnetNextEpoch(ctx, 1, nil)
	if err != nil || ne.NextEpoch != info.NextEpoch || ne.BlocksRemaining != ne.NextEpoch-state.height {
		t.Fatalf("next epoch %+v %v", ne, err)
	}
	pc, err := c.SubnetPendingCommits(ctx, addrs["miner-hk"], nil)
	if err != nil || pc == nil || len(pc) != 0 {
		t.Fatalf("pending commits %+v %v", pc, err)
	}
	si, err := c.StakeGet(ctx, addrs["miner"], nil)
	if err != nil || uint64(si.Total) != 3*chain.RaoPerTAO || len(si.Stakes) != 1 || si.Stakes[0].Hotkey != addrs["miner-hk"] {
		t.Fatalf("stake %+v %v", si, err)
	}

	// Errors reach the client with their codes.
	var rerr *Error
	if _, err := c.SubnetInfo(ctx, 9, nil); !errors.As(err, &rerr) || rerr.Code != CodeNotFound {
		t.Fatalf("missing subnet: %v", err)
	}
	old := state.height - 1
	if _, err := c.SubnetList(ctx, &old); !errors.As(err, &rerr) || rerr.Code != CodeNotFound {
		t.Fatalf("unknown height: %v", err)
	}
	if err := c.Call(ctx, MethodSubnetInfo, nil); !errors.As(err, &rerr) || rerr.Code != CodeInvalidParams {
		t.Fatalf("missing netuid: %v", err)
	}
	if err := c.Call(ctx, MethodStakeGet, nil, "not-an-address"); !errors.As(err, &rerr) || rerr.Code != CodeInvalidParams {
		t.Fatalf("bad address: %v", err)
	}
	if err := c.Call(ctx, MethodSubnetMetagraph, nil, "one"); !errors.As(err, &rerr) || rerr.Code != CodeInvalidParams {
		t.Fatalf("netuid of the wrong type: %v", err)
	}
	if err := c.Call(ctx, MethodSubnetBurnCost, nil, 70000); !errors.As(err, &rerr) || rerr.Code != CodeInvalidParams {
		t.Fatalf("netuid above u16: %v", err)
	}
}
