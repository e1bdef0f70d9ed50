package types

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

var rewrite = flag.Bool("rewrite", false, "rewrite golden files in testdata/")

type goldenTx struct {
	Name        string `json:"name"`
	KeySeed     byte   `json:"key_seed"`
	ChainID     string `json:"chain_id"`
	Nonce       uint64 `json:"nonce"`
	Fee         uint64 `json:"fee"`
	To          string `json:"to"`
	Amount      uint64 `json:"amount"`
	SigningHash string `json:"signing_hash"`
	Encoded     string `json:"encoded"`
	Hash        string `json:"hash"`
	Sender      string `json:"sender"`
}

func signedTransfer(t testing.TB, seed byte, chainID string, nonce, fee uint64, to Address, amount uint64) *Tx {
	t.Helper()
	priv, err := crypto.ToECDSA(bytes.Repeat([]byte{seed}, 32))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := NewTx(chainID, nonce, fee, &Transfer{To: to, Amount: amount})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Sign(priv); err != nil {
		t.Fatal(err)
	}
	return tx
}

func TestTxGoldenVectors(t *testing.T) {
	to := common20(0xaa)
	cases := []goldenTx{
		{Name: "transfer 1 TAO", KeySeed: 1, ChainID: "yuma-local", Nonce: 0, Fee: 1000, To: to.Hex(), Amount: 1_000_000_000},
		{Name: "zero amount, large nonce", KeySeed: 2, ChainID: "yuma-test-1", Nonce: 1 << 40, Fee: 0, To: to.Hex(), Amount: 0},
		{Name: "max amount", KeySeed: 3, ChainID: "x", Nonce: 7, Fee: 1<<64 - 1, To: to.Hex(), Amount: 1<<64 - 1},
	}
	for i := range cases {
		c := &cases[i]
		priv, _ := crypto.ToECDSA(bytes.Repeat([]byte{c.KeySeed}, 32))
		tx := signedTransfer(t, c.KeySeed, c.ChainID, c.Nonce, c.Fee, to, c.Amount)
		enc, err := tx.Encode()
		if err != nil {
			t.Fatal(err)
		}
		sender, err := tx.Sender()
		if err != nil {
			t.Fatal(err)
		}
		if want := crypto.PubkeyToAddress(priv.PublicKey); sender != want {
			t.Fatalf("%s: sender %s, want %s", c.Name, sender, want)
		}
		c.SigningHash = tx.SigningHash().Hex()
		c.Encoded = hex.EncodeToString(enc)
		c.Hash = tx.Hash().Hex()
		c.Sender = sender.Hex()
	}
	path := filepath.Join("testdata", "tx_golden.json")
	got, _ := json.MarshalIndent(cases, "", "  ")
	got = append(got, '\n')
	if *rewrite {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -rewrite to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("encoding changed; golden:\n%s\ngot:\n%s", want, got)
	}
	// Decoding every golden encoding gives back the same transaction.
	var golden []goldenTx
	if err := json.Unmarshal(want, &golden); err != nil {
		t.Fatal(err)
	}
	for _, g := range golden {
		b, _ := hex.DecodeString(g.Encoded)
		tx, err := DecodeTx(b)
		if err != nil {
			t.Fatalf("%s: decode: %v", g.Name, err)
		}
		if tx.Hash().Hex() != g.Hash {
			t.Fatalf("%s: hash %s, want %s", g.Name, tx.Hash().Hex(), g.Hash)
		}
		s, err := tx.Sender()
		if err != nil || s.Hex() != g.Sender {
			t.Fatalf("%s: sender %s (%v), want %s", g.Name, s.Hex(), err, g.Sender)
		}
		call, err := tx.Call()
		if err != nil {
			t.Fatal(err)
		}
		tr := call.(*Transfer)
		if tr.Amount != g.Amount || tr.To.Hex() != g.To {
			t.Fatalf("%s: call %+v", g.Name, tr)
		}
	}
}

func common20(b byte) Address {
	var a Address
	for i := range a {
		a[i] = b
	}
	return a
}

func TestSignatureCoversEveryField(t *testing.T) {
	base := signedTransfer(t, 1, "yuma-local", 5, 10, common20(1), 100)
	from, _ := base.Sender()
	mutations := map[string]func(tx *Tx){
		"chain id": func(tx *Tx) { tx.ChainID = "other-chain" },
		"nonce":    func(tx *Tx) { tx.Nonce++ },
		"fee":      func(tx *Tx) { tx.Fee-- },
		"kind":     func(tx *Tx) { tx.Kind = 2 },
		"payload":  func(tx *Tx) { tx.Payload = append([]byte{}, tx.Payload...); tx.Payload[len(tx.Payload)-1] ^= 1 },
	}
	for name, mutate := range mutations {
		tx := *base
		mutate(&tx)
		got, err := tx.Sender()
		if err == nil && got == from {
			t.Errorf("%s: changing it still recovers the original signer", name)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	good := signedTransfer(t, 1, "yuma-local", 0, 0, common20(1), 1)
	enc, _ := good.Encode()

	highS := *good
	highS.Sig = append([]byte{}, good.Sig...)
	// s' = n - s and v' = 1 - v is the same signature in high-S form.
	n := crypto.S256().Params().N
	s := new(big.Int).SetBytes(highS.Sig[32:64])
	s.Sub(n, s)
	s.FillBytes(highS.Sig[32:64])
	highS.Sig[64] ^= 1
	highSEnc, _ := highS.Encode()

	badSig := *good
	badSig.Sig = append([]byte{}, good.Sig...)
	badSig.Sig[64] = 7
	badSigEnc, _ := badSig.Encode()

	shortSig, _ := rlp.EncodeToBytes(wireTx{"yuma-local", 0, 0, 1, good.Payload, good.Sig[:64]})
	noChain, _ := rlp.EncodeToBytes(wireTx{"", 0, 0, 1, good.Payload, good.Sig})

	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTxDecode},
		{"garbage", []byte{0xff, 0x00, 0x13}, ErrTxDecode},
		{"trailing byte", append(append([]byte{}, enc...), 0), ErrTxDecode},
		{"truncated", enc[:len(enc)-1], ErrTxDecode},
		{"too large", make([]byte, MaxTxSize+1), ErrTxTooLarge},
		{"short signature", shortSig, ErrBadSignature},
		{"empty chain id", noChain, ErrTxDecode},
	} {
		_, err := DecodeTx(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	// Structurally valid but unverifiable signatures decode and fail Sender.
	for name, b := range map[string][]byte{"high S": highSEnc, "bad v": badSigEnc} {
		tx, err := DecodeTx(b)
		if err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		if _, err := tx.Sender(); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: Sender err = %v, want ErrBadSignature", name, err)
		}
	}
}

func TestCallRejectsBadPayload(t *testing.T) {
	tx := signedTransfer(t, 1, "c", 0, 0, common20(1), 1)
	unknown := *tx
	unknown.Kind = 999
	if _, err := unknown.Call(); !errors.Is(err, ErrUnknownCall) {
		t.Errorf("unknown kind: %v", err)
	}
	bad := *tx
	bad.Payload = []byte{0xc0}
	if _, err := bad.Call(); !errors.Is(err, ErrCallDecode) {
		t.Errorf("bad payload: %v", err)
	}
}

func TestParseAddress(t *testing.T) {
	a := common20(0xab)
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{a.Hex(), true},
		{"0x" + hex.EncodeToString(a[:]), true},
		{"0xABABABABABABABABABABABABABABABABABABABAB", true},
		{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", true},  // EIP-55 example
		{"0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed", false}, // one letter's case flipped
		{"5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", false},
		{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", false},
		{"0xzzzzb6053F3E94C9b9A09f33669435E7Ef1BeAed", false},
		{"", false},
	} {
		_, err := ParseAddress(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseAddress(%q) err = %v, want ok=%v", tc.in, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrBadAddress) {
			t.Errorf("ParseAddress(%q) error %v does not wrap ErrBadAddress", tc.in, err)
		}
	}
}

func FuzzDecodeTx(f *testing.F) {
	good := signedTransfer(f, 1, "yuma-local", 3, 9, common20(1), 77)
	enc, _ := good.Encode()
	f.Add(enc)
	f.Add([]byte{})
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := DecodeTx(b)
		if err != nil {
			return
		}
		again, err := tx.Encode()
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("decoded tx re-encodes differently")
		}
		_, _ = tx.Sender()
		_, _ = tx.Call()
	})
}
