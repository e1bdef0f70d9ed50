package chainview

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/types"
	"github.com/yumachain/yuma/validator"
)

var _ validator.WeightSetter = (*Signer)(nil)

// Axon fields ServeAxon publishes.
const (
	AxonVersion      uint32 = 1
	AxonProtocolHTTP uint8  = 4 // as Bittensor's protocol number for HTTP
)

// Config tunes a Signer. Zero fields take DefaultConfig's values.
type Config struct {
	// Fee is the fee in rao of every transaction; below the chain's
	// minimum fee (and so 0) means the minimum.
	Fee uint64
	// InclusionTimeout bounds the wait for the block that includes one
	// transaction.
	InclusionTimeout time.Duration
	// PollInterval is how often inclusion is checked.
	PollInterval time.Duration
	// NonceRetries is how many times a transaction that lost its nonce to
	// another one (bad_nonce) is rebuilt with a fresh nonce and sent again.
	NonceRetries int
	// Logger receives retries at debug level (default: discard).
	Logger *slog.Logger
}

// DefaultConfig is a minute for inclusion, polled every 100 ms, and five
// nonce retries.
func DefaultConfig() Config {
	return Config{InclusionTimeout: time.Minute, PollInterval: 100 * time.Millisecond, NonceRetries: 5}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.InclusionTimeout <= 0 {
		c.InclusionTimeout = d.InclusionTimeout
	}
	if c.PollInterval <= 0 {
		c.PollInterval = d.PollInterval
	}
	if c.NonceRetries <= 0 {
		c.NonceRetries = d.NonceRetries
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Signer signs transactions with one key and submits them through one
// node. It is safe for concurrent use. See the package doc for the nonce
// and error contract.
type Signer struct {
	cl   *rpc.Client
	key  *ecdsa.PrivateKey
	addr types.Address
	cfg  Config

	mu        sync.Mutex // serializes nonce allocation and admission; guards the fields below
	chainID   string
	minFee    uint64
	nonce     uint64 // next nonce to use, valid if haveNonce
	haveNonce bool
}

// NewSigner returns a signer for key over cl.
func NewSigner(cl *rpc.Client, key *ecdsa.PrivateKey, cfg Config) *Signer {
	return &Signer{cl: cl, key: key, addr: crypto.PubkeyToAddress(key.PublicKey), cfg: cfg.withDefaults()}
}

// Address is the signer's account (a hotkey or a coldkey).
func (s *Signer) Address() types.Address { return s.addr }

// Result is a transaction included with a successful receipt.
type Result struct {
	Hash    types.Hash
	Height  uint64
	Nonce   uint64
	Receipt chain.Receipt
}

// Submit signs call, submits it and waits until a finalized block includes
// it. A failed receipt or a refusal is a *TxError.
func (s *Signer) Submit(ctx context.Context, call types.Call) (Result, error) {
	for attempt := 0; ; attempt++ {
		hash, nonce, err := s.send(ctx, call)
		if err == nil {
			var res Result
			if res, err = s.wait(ctx, call.Kind(), hash, nonce); err == nil {
				return res, nil
			}
		}
		if !lostNonce(err) || attempt >= s.cfg.NonceRetries {
			return Result{}, err
		}
		s.forgetNonce()
		s.cfg.Logger.Debug("nonce lost; resending with a fresh one", "call", kindName(call.Kind()), "signer", s.addr, "attempt", attempt+1, "err", err)
		// The first retry is immediate (the cache was simply stale);
		// later ones wait for blocks, for pending transactions to land.
		if attempt > 0 {
			if err := sleep(ctx, min(s.cfg.PollInterval<<attempt, 2*time.Second)); err != nil {
				return Result{}, err
			}
		}
	}
}

// lostNonce reports whether err says the transaction's nonce was not the
// account's next one.
func lostNonce(err error) bool {
	var te *TxError
	return errors.As(err, &te) && te.Code == chain.ErrBadNonce.Code
}

func (s *Signer) forgetNonce() {
	s.mu.Lock()
	s.haveNonce = false
	s.mu.Unlock()
}

// send builds, signs and submits call with the next nonce, and advances
// the nonce once the node admits it.
func (s *Signer) send(ctx context.Context, call types.Call) (types.Hash, uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	what := kindName(call.Kind())
	if s.chainID == "" {
		g, err := s.cl.Genesis(ctx)
		if err != nil {
			return types.Hash{}, 0, fmt.Errorf("%s: read genesis: %w", what, err)
		}
		s.chainID, s.minFee = g.ChainID, uint64(g.Params.MinFee)
	}
	if !s.haveNonce {
		acc, err := s.cl.Account(ctx, s.addr, nil)
		if err != nil {
			return types.Hash{}, 0, fmt.Errorf("%s: read nonce of %s: %w", what, s.addr, err)
		}
		s.nonce, s.haveNonce = acc.Nonce, true
	}
	nonce := s.nonce
	tx, err := types.NewTx(s.chainID, nonce, max(s.cfg.Fee, s.minFee), call)
	if err != nil {
		return types.Hash{}, 0, fmt.Errorf("%s: %w", what, err)
	}
	if err := tx.Sign(s.key); err != nil {
		return types.Hash{}, 0, fmt.Errorf("%s: sign: %w", what, err)
	}
	raw, err := tx.Encode()
	if err != nil {
		return types.Hash{}, 0, fmt.Errorf("%s: encode: %w", what, err)
	}
	hash := tx.Hash()
	_, err = s.cl.Submit(ctx, rpc.SubmitRequest{Tx: hex.EncodeToString(raw), Wait: rpc.WaitNone})
	if err != nil {
		var re *rpc.Error
		if !errors.As(err, &re) || re.Code != rpc.CodeTxRejected {
			// Unknown whether the node took it: read the nonce again next time.
			s.haveNonce = false
			return types.Hash{}, 0, fmt.Errorf("%s: submit: %w", what, err)
		}
		var d rpc.TxErrorData
		_ = json.Unmarshal(re.Data, &d)
		if d.Code != "duplicate_tx" {
			return types.Hash{}, 0, &TxError{Kind: call.Kind(), Hash: hash, Code: d.Code, Message: txMessage(re.Message, d), RetryAt: d.RetryAt}
		}
		// These exact bytes (same nonce, same call) are already in the
		// mempool or a recent block: wait for them as if just sent.
	}
	s.nonce++
	return hash, nonce, nil
}

// txMessage strips the code prefix and retry suffix that chain.TxError's
// Error adds, leaving the explanation.
func txMessage(msg string, d rpc.TxErrorData) string {
	msg = strings.TrimPrefix(msg, d.Code+": ")
	if d.RetryAt != 0 {
		msg = strings.TrimSuffix(msg, fmt.Sprintf(" (retry at block %d)", d.RetryAt))
	}
	return msg
}

// wait polls until the transaction is in a block, its nonce is used by
// another transaction, or the inclusion timeout passes.
func (s *Signer) wait(ctx context.Context, kind types.CallKind, hash types.Hash, nonce uint64) (Result, error) {
	deadline := time.Now().Add(s.cfg.InclusionTimeout)
	var lastErr error
	for {
		var info rpc.TxInfo
		var acc rpc.Account
		calls := []rpc.BatchCall{
			{Method: rpc.MethodTx, Params: []any{hash}, Result: &info},
			{Method: rpc.MethodAccount, Params: []any{s.addr.Hex(), nil}, Result: &acc},
		}
		if err := s.cl.Batch(ctx, calls); err != nil {
			lastErr = err
		} else if calls[0].Err == nil {
			return s.outcome(kind, nonce, info)
		} else if !isNotFound(calls[0].Err) {
			lastErr = calls[0].Err
		} else if calls[1].Err == nil && acc.Nonce > nonce {
			// The nonce is used: by this transaction, committed between
			// the two reads, or by another one.
			info, err := s.cl.Tx(ctx, hash)
			if err == nil {
				return s.outcome(kind, nonce, info)
			}
			if isNotFound(err) {
				return Result{}, &TxError{Kind: kind, Hash: hash, Code: chain.ErrBadNonce.Code,
					Message: fmt.Sprintf("dropped: nonce %d of %s was used by another transaction", nonce, s.addr)}
			}
			lastErr = err
		}
		if ctx.Err() != nil {
			return Result{}, fmt.Errorf("%s transaction %s: %w", kindName(kind), hash.Hex(), ctx.Err())
		}
		if time.Now().After(deadline) {
			if lastErr != nil {
				return Result{}, fmt.Errorf("%w: %s transaction %s after %s (last error: %v)", ErrNotIncluded, kindName(kind), hash.Hex(), s.cfg.InclusionTimeout, lastErr)
			}
			return Result{}, fmt.Errorf("%w: %s transaction %s after %s", ErrNotIncluded, kindName(kind), hash.Hex(), s.cfg.InclusionTimeout)
		}
		if err := sleep(ctx, s.cfg.PollInterval); err != nil {
			return Result{}, fmt.Errorf("%s transaction %s: %w", kindName(kind), hash.Hex(), err)
		}
	}
}

func (s *Signer) outcome(kind types.CallKind, nonce uint64, info rpc.TxInfo) (Result, error) {
	rc := info.Receipt
	if !rc.OK() {
		return Result{}, &TxError{Kind: kind, Hash: info.Hash, Height: info.Height, Code: rc.Code, Message: rc.Msg, RetryAt: rc.RetryAt}
	}
	return Result{Hash: info.Hash, Height: info.Height, Nonce: nonce, Receipt: rc}, nil
}

func isNotFound(err error) bool {
	var re *rpc.Error
	return errors.As(err, &re) && re.Code == rpc.CodeNotFound
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// SetWeights sets the signer hotkey's weights on netuid.
func (s *Signer) SetWeights(ctx context.Context, netuid uint16, uids, values []uint16, versionKey uint64) error {
	_, err := s.Submit(ctx, &types.SetWeights{NetUID: netuid, UIDs: uids, Values: values, VersionKey: versionKey})
	return err
}

// CommitWeights publishes a weights commitment (types.WeightsCommitHash)
// and returns the block that included it.
func (s *Signer) CommitWeights(ctx context.Context, netuid uint16, commit types.Hash) (uint64, error) {
	res, err := s.Submit(ctx, &types.CommitWeights{NetUID: netuid, Commit: commit})
	return res.Height, err
}

// RevealWeights reveals weights committed earlier.
func (s *Signer) RevealWeights(ctx context.Context, netuid uint16, uids, values, salt []uint16, versionKey uint64) error {
	_, err := s.Submit(ctx, &types.RevealWeights{NetUID: netuid, UIDs: uids, Values: values, Salt: salt, VersionKey: versionKey})
	return err
}

// ServeAxon publishes the signer hotkey's axon endpoint on netuid (HTTP,
// version AxonVersion). The address must be a specific IPv4 or IPv6
// address and the port non-zero: validators skip anything else.
func (s *Signer) ServeAxon(ctx context.Context, netuid uint16, endpoint netip.AddrPort) (Result, error) {
	call, err := serveAxonCall(netuid, endpoint)
	if err != nil {
		return Result{}, err
	}
	return s.Submit(ctx, call)
}

func serveAxonCall(netuid uint16, endpoint netip.AddrPort) (*types.ServeAxon, error) {
	addr := endpoint.Addr().Unmap()
	if !addr.IsValid() || addr.IsUnspecified() || endpoint.Port() == 0 {
		return nil, fmt.Errorf("serve_axon: endpoint %q needs a specific IP address and a non-zero port", endpoint)
	}
	call := &types.ServeAxon{NetUID: netuid, Version: AxonVersion, Port: endpoint.Port(), Protocol: AxonProtocolHTTP, IP: addr.AsSlice()}
	if addr.Is4() {
		call.IPType = types.IPv4
	} else {
		call.IPType = types.IPv6
	}
	return call, nil
}

// BurnedRegister registers hotkey on netuid, burning the subnet's
// registration cost from the signer, which must be the coldkey that owns
// (or, for a new hotkey, will own) it. It returns the hotkey's UID.
func (s *Signer) BurnedRegister(ctx context.Context, netuid uint16, hotkey types.Address) (uint16, Result, error) {
	res, err := s.Submit(ctx, &types.BurnedRegister{NetUID: netuid, Hotkey: hotkey})
	if err != nil {
		return 0, Result{}, err
	}
	for _, e := range res.Receipt.Events {
		if e.Type != "neuron_registered" {
			continue
		}
		for _, a := range e.Attrs {
			if a.Key == "uid" {
				uid, err := strconv.ParseUint(a.Value, 10, 16)
				if err != nil {
					return 0, res, fmt.Errorf("burned_register: uid %q in the receipt: %w", a.Value, err)
				}
				return uint16(uid), res, nil
			}
		}
	}
	return 0, res, fmt.Errorf("burned_register: receipt of %s has no neuron_registered event", res.Hash.Hex())
}
