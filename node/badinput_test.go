package node

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/types"
)

// TestBadTransactionsRejected submits every kind of bad transaction to a
// running node: each is refused by CheckTx through the RPC with its named
// error, and the state root does not move because of them.
func TestBadTransactionsRejected(t *testing.T) {
	tn := newTestNet(t, 1, 2)
	tn.waitHeight(2, 30*time.Second)
	cl := tn.client(0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	k, other := tn.keys[0], tn.keys[1]
	to := crypto.PubkeyToAddress(other.PublicKey)
	chainID := tn.gen.ChainID
	acc, err := cl.Account(ctx, crypto.PubkeyToAddress(k.PublicKey), nil)
	if err != nil {
		t.Fatal(err)
	}
	// One good transaction uses nonce 0, so nonce 0 becomes a replay.
	good := signTransfer(t, k, chainID, 0, to, 1)
	if res, err := cl.Submit(ctx, rpc.SubmitRequest{Tx: good, Wait: rpc.WaitInclusion}); err != nil || !res.Receipt.OK() {
		t.Fatalf("good tx: %+v %v", res, err)
	}
	wrongSig := func() string {
		tx, _ := types.NewTx(chainID, 1, 1000, &types.Transfer{To: to, Amount: 1})
		tx.Sign(k)
		tx.Payload = append([]byte{}, tx.Payload...)
		// Re-sign a different amount, then put back the original payload:
		// the signature recovers to someone else.
		tx2, _ := types.NewTx(chainID, 1, 1000, &types.Transfer{To: to, Amount: 2})
		tx2.Sign(k)
		tx.Sig = tx2.Sig
		b, _ := tx.Encode()
		return hex.EncodeToString(b)
	}()
	feeTooLow := func() string {
		tx, _ := types.NewTx(chainID, 1, 1, &types.Transfer{To: to, Amount: 1})
		tx.Sign(k)
		b, _ := tx.Encode()
		return hex.EncodeToString(b)
	}()
	for _, tc := range []struct {
		name, tx, code string
		rpcCode        int
	}{
		{"replayed transaction", good, "duplicate_tx", rpc.CodeTxRejected},
		{"reused nonce, new tx", signTransfer(t, k, chainID, 0, to, 2), "bad_nonce", rpc.CodeTxRejected},
		{"future nonce", signTransfer(t, k, chainID, 5, to, 2), "bad_nonce", rpc.CodeTxRejected},
		{"wrong chain id", signTransfer(t, k, "other-chain", 1, to, 1), "wrong_chain_id", rpc.CodeTxRejected},
		{"wrong signature", wrongSig, "bad_nonce", rpc.CodeTxRejected}, // recovers to a stranger at nonce 0
		{"overdraw", signTransfer(t, k, chainID, 1, to, uint64(acc.Balance)*2), "insufficient_balance", rpc.CodeTxRejected},
		{"fee too low", feeTooLow, "fee_too_low", rpc.CodeTxRejected},
		{"undecodable", "c0ffee", "malformed_tx", rpc.CodeTxRejected},
		{"oversized", strings.Repeat("00", types.MaxTxSize+1), "malformed_tx", rpc.CodeTxRejected},
		{"not hex", "zz", "", rpc.CodeInvalidParams},
	} {
		_, err := cl.Submit(ctx, rpc.SubmitRequest{Tx: tc.tx})
		var re *rpc.Error
		if !errors.As(err, &re) || re.Code != tc.rpcCode {
			t.Errorf("%s: err = %v, want rpc code %d", tc.name, err, tc.rpcCode)
			continue
		}
		if tc.code != "" {
			var data rpc.TxErrorData
			if err := json.Unmarshal(re.Data, &data); err != nil || data.Code != tc.code {
				t.Errorf("%s: error data %s, want code %q (%v)", tc.name, re.Data, tc.code, re.Message)
			}
		}
		if !strings.Contains(re.Message, ":") {
			t.Errorf("%s: message %q does not explain", tc.name, re.Message)
		}
	}
	// Nothing of the bad transactions landed: the sender's nonce is 1 and
	// the recipient got exactly the one good transfer.
	after, _ := cl.Account(ctx, crypto.PubkeyToAddress(k.PublicKey), nil)
	if after.Nonce != 1 || uint64(after.Balance) != uint64(acc.Balance)-1-1000 {
		t.Fatalf("sender after bad txs: %+v (before %+v)", after, acc)
	}
	rcpt, _ := cl.Account(ctx, to, nil)
	if uint64(rcpt.Balance) != 1_000_000*1_000_000_000+1 {
		t.Fatalf("recipient balance %d", rcpt.Balance)
	}
}
