package axon

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"fmt"
	"net/http"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
)

// NewSignedRequest builds the POST of body to the synapse at baseURL,
// signed by key. m.Caller, m.Path and m.BodyHash are filled in from key,
// synapse and body; the caller sets the other fields.
func NewSignedRequest(ctx context.Context, key *ecdsa.PrivateKey, baseURL, synapse string, m *RequestMessage, body []byte) (*http.Request, error) {
	if !ValidSynapseName(synapse) {
		return nil, fmt.Errorf("%w: %q", ErrBadPath, synapse)
	}
	m.Caller = crypto.PubkeyToAddress(key.PublicKey)
	m.Path = SynapsePath(synapse)
	m.BodyHash = BodyHash(body)
	sig, err := m.Sign(key)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(baseURL, "/")+m.Path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	a := Auth{Caller: m.Caller, Target: m.Target, Nonce: m.Nonce, Timestamp: m.Timestamp, Signature: sig}
	a.Write(req.Header)
	return req, nil
}
