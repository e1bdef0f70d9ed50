package validator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/yumachain/yuma/axon"
	"github.com/yumachain/yuma/miner"
	"github.com/yumachain/yuma/types"
	"github.com/yumachain/yuma/validator"
)

// A new subnet task is one type per side. This one asks miners to add two
// numbers.
type sumRequest struct{ A, B int64 }
type sumResponse struct{ Sum int64 }

// Miner side: decode the request, produce the response.
func sumHandler() miner.Handler {
	decode := func(b []byte) (sumRequest, error) {
		var r sumRequest
		err := json.Unmarshal(b, &r)
		return r, err
	}
	return miner.NewHandler("sum", decode, func(_ context.Context, _ axon.NeuronInfo, r sumRequest) (sumResponse, error) {
		return sumResponse{Sum: r.A + r.B}, nil
	})
}

// Validator side: make a challenge whose answer it can check, score it.
type sumTask struct{}

func (sumTask) Synapse() string { return "sum" }
func (sumTask) Challenge(r *rand.Rand) (validator.Challenge, error) {
	a, b := r.Int64N(1000), r.Int64N(1000)
	body, err := json.Marshal(sumRequest{a, b})
	return validator.Challenge{Body: body, Score: func(resp []byte) float64 {
		var s sumResponse
		if json.Unmarshal(resp, &s) != nil || s.Sum != a+b {
			return 0
		}
		return 1
	}}, err
}

type oneBlockChain struct{}

func (oneBlockChain) Block(context.Context) (uint64, error) { return 100, nil }
func (oneBlockChain) Hyperparameters(context.Context, uint16) (validator.Hyperparameters, error) {
	return validator.Hyperparameters{MinAllowedWeights: 1, MaxWeightsLimit: 65535}, nil
}
func (oneBlockChain) LastUpdate(context.Context, uint16, uint16) (uint64, error) { return 0, nil }
func (oneBlockChain) RevealWindow(context.Context, uint16, uint64) (uint64, uint64, error) {
	return 0, 0, errors.New("no commit-reveal")
}
func (oneBlockChain) PendingCommits(context.Context, uint16, types.Address) ([]validator.OnChainCommit, error) {
	return nil, nil
}

type printSetter struct{}

func (printSetter) SetWeights(_ context.Context, netuid uint16, uids, values []uint16, _ uint64) error {
	fmt.Println("set weights on subnet", netuid, uids, values)
	return nil
}
func (printSetter) CommitWeights(context.Context, uint16, types.Hash) (uint64, error) { return 0, nil }
func (printSetter) RevealWeights(context.Context, uint16, []uint16, []uint16, []uint16, uint64) error {
	return nil
}

func Example_newTask() {
	minerKey, _ := crypto.ToECDSA(bytes.Repeat([]byte{1}, 32))
	valKey, _ := crypto.ToECDSA(bytes.Repeat([]byte{2}, 32))
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)

	// The chain's view: the validator (with a permit) at UID 0, the miner at UID 1.
	val := axon.NeuronInfo{UID: 0, Hotkey: crypto.PubkeyToAddress(valKey.PublicKey), ValidatorPermit: true}
	mg, _ := axon.NewMetagraph(val)

	m, err := miner.New(miner.TestConfig(minerKey, dir+"/miner"), miner.Deps{Metagraph: mg, Handlers: []miner.Handler{sumHandler()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	srv := httptest.NewServer(m)
	defer srv.Close()
	_ = mg.Set(axon.Snapshot{Neurons: []axon.NeuronInfo{val, {UID: 1, Hotkey: m.Hotkey(), Endpoint: srv.URL}}})

	v, err := validator.New(validator.TestConfig(valKey, dir+"/validator"), validator.Deps{
		Metagraph: mg, Chain: oneBlockChain{}, Weights: printSetter{}, Task: sumTask{},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := v.Step(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("uid 1 moving average: %.2f\n", v.Scores()[1].Score)
	// Output:
	// set weights on subnet 1 [1] [65535]
	// uid 1 moving average: 0.10
}
