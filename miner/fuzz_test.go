package miner

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/yumachain/yuma/axon"
)

// FuzzServeHTTP throws arbitrary paths, auth headers and bodies at a miner:
// it must never panic, must answer with one of the documented statuses,
// and must never serve (200) a request whose signature it did not check.
func FuzzServeHTTP(f *testing.F) {
	e := newEnv(f, nil)
	defer e.stop()
	sig := "0x" + string(bytes.Repeat([]byte("ab"), 65))
	f.Add("/synapse/textgen", sig, addr(e.validator).Hex(), addr(e.miner).Hex(), "1", "1767323045000", []byte(`{"prompt":"a","max_tokens":1}`))
	f.Add("/synapse/", "", "", "", "", "", []byte{})
	f.Add("/health", "0x", "0x0", "x", "-1", "99999999999999999999", []byte("{"))
	allowed := map[int]bool{400: true, 401: true, 403: true, 404: true, 405: true, 413: true}
	f.Fuzz(func(t *testing.T, path, sigText, caller, target, nonce, ts string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.URL.Path = path
		for k, v := range map[string]string{axon.HeaderSignature: sigText, axon.HeaderCaller: caller, axon.HeaderTarget: target, axon.HeaderNonce: nonce, axon.HeaderTimestamp: ts} {
			req.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, req)
		if !allowed[w.Code] {
			t.Fatalf("status %d for forged request: %s", w.Code, w.Body.Bytes())
		}
	})
}
