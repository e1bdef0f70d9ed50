package validator

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/yumachain/yuma/axon"
	"github.com/yumachain/yuma/types"
)

// Dendrite sends signed requests to miners and verifies their signed
// responses. It is safe for concurrent use.
type Dendrite struct {
	key     *ecdsa.PrivateKey
	hotkey  types.Address
	chainID string
	netuid  uint16
	client  *http.Client
	maxBody int64
	now     func() time.Time

	mu        sync.Mutex
	lastNonce uint64
}

// NewDendrite returns a client signing with key. client nil means a client
// with no redirects (a miner must answer itself).
func NewDendrite(key *ecdsa.PrivateKey, chainID string, netuid uint16, client *http.Client, maxBody int64, now func() time.Time) *Dendrite {
	if client == nil {
		client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if now == nil {
		now = time.Now
	}
	return &Dendrite{key: key, hotkey: crypto.PubkeyToAddress(key.PublicKey), chainID: chainID, netuid: netuid,
		client: client, maxBody: maxBody, now: now}
}

// nextNonce is max(last+1, now in Unix nanoseconds): strictly increasing
// within the process, and across restarts as long as the wall clock does
// not go back, so it needs no state on disk.
func (d *Dendrite) nextNonce() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := d.lastNonce + 1
	if t := d.now().UnixNano(); t > 0 && uint64(t) > n {
		n = uint64(t)
	}
	d.lastNonce = n
	return n
}

// Response is a verified answer of a miner.
type Response struct {
	Status int
	Body   []byte
}

// Query sends body to synapse of miner and returns the response once its
// signature checks out against miner.Hotkey (the UID's owner on chain).
// Errors wrap ErrTransport, ErrForgedResponse or ErrResponseTooLarge.
// A signed non-200 answer is a Response, not an error.
func (d *Dendrite) Query(ctx context.Context, miner axon.NeuronInfo, synapse string, body []byte) (Response, error) {
	m := axon.RequestMessage{
		Target: miner.Hotkey, ChainID: d.chainID, NetUID: d.netuid,
		Nonce: d.nextNonce(), Timestamp: uint64(d.now().UnixMilli()),
	}
	req, err := axon.NewSignedRequest(ctx, d.key, miner.Endpoint, synapse, &m, body)
	if err != nil {
		return Response{}, fmt.Errorf("%w: %v", ErrTransport, err)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("%w: %v", ErrTransport, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, d.maxBody+1))
	if err != nil {
		return Response{}, fmt.Errorf("%w: read: %v", ErrTransport, err)
	}
	if int64(len(b)) > d.maxBody {
		return Response{}, fmt.Errorf("%w: over %d bytes", ErrResponseTooLarge, d.maxBody)
	}
	if err := VerifyResponse(m.ID(), miner.Hotkey, resp.StatusCode, resp.Header, b); err != nil {
		return Response{}, err
	}
	return Response{Status: resp.StatusCode, Body: b}, nil
}

// VerifyResponse checks a miner's response signature: by hotkey, over the
// request id, the status and the exact body.
func VerifyResponse(requestID types.Hash, hotkey types.Address, status int, h http.Header, body []byte) error {
	sig, err := axon.ResponseSignature(h)
	if err != nil {
		return fmt.Errorf("%w: %v (status %d)", ErrForgedResponse, err, status)
	}
	if status < 0 || status > 0xffff {
		return fmt.Errorf("%w: status %d", ErrForgedResponse, status)
	}
	rm := axon.ResponseMessage{RequestID: requestID, Status: uint16(status), BodyHash: axon.BodyHash(body)}
	if err := rm.Verify(sig, hotkey); err != nil {
		return fmt.Errorf("%w: %v", ErrForgedResponse, err)
	}
	return nil
}
