package axon

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/yumachain/yuma/types"
)

// HTTP headers of the protocol.
const (
	// Request headers, set by the validator.
	HeaderCaller    = "Yuma-Caller"    // validator hotkey, 0x-hex (EIP-55 or one case)
	HeaderTarget    = "Yuma-Target"    // miner hotkey the request is for
	HeaderNonce     = "Yuma-Nonce"     // decimal u64, canonical (no sign, no leading zeros)
	HeaderTimestamp = "Yuma-Timestamp" // decimal u64, Unix milliseconds
	HeaderSignature = "Yuma-Signature" // 0x + 130 hex digits: r || s || v, v in {0,1}

	// Response headers, set by the miner on responses to authenticated
	// requests. HeaderSignature carries the response signature.
	HeaderRequestID = "Yuma-Request-Id" // 0x-hex request id (informative; the validator recomputes it)

	// PathPrefix is the prefix of every synapse path: /synapse/<name>.
	PathPrefix = "/synapse/"
	// MaxSynapseLen bounds a synapse name.
	MaxSynapseLen = 64
	// maxHeaderValue bounds any header value this package parses.
	maxHeaderValue = 256
)

// Auth is the parsed authentication headers of a request.
type Auth struct {
	Caller    types.Address
	Target    types.Address
	Nonce     uint64
	Timestamp uint64 // Unix ms
	Signature []byte // 65 bytes; validity is checked by RequestMessage.Verify
}

// Write sets the authentication headers on h.
func (a *Auth) Write(h http.Header) {
	h.Set(HeaderCaller, a.Caller.Hex())
	h.Set(HeaderTarget, a.Target.Hex())
	h.Set(HeaderNonce, strconv.FormatUint(a.Nonce, 10))
	h.Set(HeaderTimestamp, strconv.FormatUint(a.Timestamp, 10))
	h.Set(HeaderSignature, EncodeSignature(a.Signature))
}

// ParseAuth reads the authentication headers of a request. The signature
// is checked first, so a request without one fails with ErrMissingAuth
// whatever else it carries. It does not verify the signature.
func ParseAuth(h http.Header) (Auth, error) {
	var a Auth
	sigText, err := single(h, HeaderSignature)
	if err != nil {
		return a, err
	}
	if a.Signature, err = DecodeSignature(sigText); err != nil {
		return a, err
	}
	caller, err := single(h, HeaderCaller)
	if err != nil {
		return a, err
	}
	if a.Caller, err = types.ParseAddress(caller); err != nil {
		return a, fmt.Errorf("%w: %s: %v", ErrBadHeader, HeaderCaller, err)
	}
	target, err := single(h, HeaderTarget)
	if err != nil {
		return a, err
	}
	if a.Target, err = types.ParseAddress(target); err != nil {
		return a, fmt.Errorf("%w: %s: %v", ErrBadHeader, HeaderTarget, err)
	}
	if a.Nonce, err = parseUint(h, HeaderNonce); err != nil {
		return a, err
	}
	if a.Timestamp, err = parseUint(h, HeaderTimestamp); err != nil {
		return a, err
	}
	return a, nil
}

// single returns the one value of header name; absent, empty, repeated or
// oversized values are errors.
func single(h http.Header, name string) (string, error) {
	vs := h.Values(name)
	switch {
	case len(vs) == 0 || (len(vs) == 1 && strings.TrimSpace(vs[0]) == ""):
		return "", fmt.Errorf("%w: %s", ErrMissingAuth, name)
	case len(vs) > 1:
		return "", fmt.Errorf("%w: %s given %d times", ErrBadHeader, name, len(vs))
	case len(vs[0]) > maxHeaderValue:
		return "", fmt.Errorf("%w: %s is %d bytes", ErrBadHeader, name, len(vs[0]))
	}
	return strings.TrimSpace(vs[0]), nil
}

func parseUint(h http.Header, name string) (uint64, error) {
	s, err := single(h, name)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != s {
		return 0, fmt.Errorf("%w: %s %q is not a canonical decimal u64", ErrBadHeader, name, s)
	}
	return n, nil
}

// EncodeSignature is the header form of a signature: 0x and lowercase hex.
func EncodeSignature(sig []byte) string { return "0x" + hex.EncodeToString(sig) }

// DecodeSignature parses the header form of a 65-byte signature. The 0x
// prefix is required; an empty value is ErrMissingAuth, anything other than
// 130 hex digits is ErrBadSignature.
func DecodeSignature(s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: %s", ErrMissingAuth, HeaderSignature)
	}
	if !strings.HasPrefix(s, "0x") {
		return nil, fmt.Errorf("%w: must start with 0x", ErrBadSignature)
	}
	if len(s) != 2+2*types.SignatureLen {
		return nil, fmt.Errorf("%w: %d hex digits, want %d", ErrBadSignature, len(s)-2, 2*types.SignatureLen)
	}
	sig, err := hex.DecodeString(s[2:])
	if err != nil {
		return nil, fmt.Errorf("%w: not hex", ErrBadSignature)
	}
	return sig, nil
}

// ResponseSignature reads the miner's signature from response headers.
func ResponseSignature(h http.Header) ([]byte, error) {
	s, err := single(h, HeaderSignature)
	if err != nil {
		return nil, err
	}
	return DecodeSignature(s)
}

// SynapsePath is the request path of the synapse name.
func SynapsePath(name string) string { return PathPrefix + name }

// ParseSynapsePath returns the synapse name of a request path.
func ParseSynapsePath(path string) (string, error) {
	name, ok := strings.CutPrefix(path, PathPrefix)
	if !ok {
		return "", fmt.Errorf("%w: %q does not start with %s", ErrBadPath, truncate(path), PathPrefix)
	}
	if !ValidSynapseName(name) {
		return "", fmt.Errorf("%w: bad synapse name %q", ErrBadPath, truncate(name))
	}
	return name, nil
}

// ValidSynapseName reports whether name is 1..MaxSynapseLen bytes of
// [a-z0-9_.-] starting with a letter.
func ValidSynapseName(name string) bool {
	if len(name) == 0 || len(name) > MaxSynapseLen || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
