package axon

import (
	"net/http"
	"testing"
)

// FuzzParseAuth feeds arbitrary header values to the request header parser:
// it must never panic, and whatever it accepts must write back to headers
// that parse to the same values.
func FuzzParseAuth(f *testing.F) {
	k, m := sampleRequest(f)
	sig, _ := m.Sign(k)
	f.Add(EncodeSignature(sig), m.Caller.Hex(), m.Target.Hex(), "42", "1700000000000")
	f.Add("", "", "", "", "")
	f.Add("0x", "0x00", "0X00", "-1", "1e9")
	f.Fuzz(func(t *testing.T, sigText, caller, target, nonce, ts string) {
		h := http.Header{}
		for k, v := range map[string]string{HeaderSignature: sigText, HeaderCaller: caller, HeaderTarget: target, HeaderNonce: nonce, HeaderTimestamp: ts} {
			h.Set(k, v)
		}
		a, err := ParseAuth(h)
		if err != nil {
			return
		}
		h2 := http.Header{}
		a.Write(h2)
		b, err := ParseAuth(h2)
		if err != nil {
			t.Fatalf("re-parse of accepted auth: %v", err)
		}
		if a.Caller != b.Caller || a.Target != b.Target || a.Nonce != b.Nonce || a.Timestamp != b.Timestamp || string(a.Signature) != string(b.Signature) {
			t.Fatalf("round trip changed auth: %+v vs %+v", a, b)
		}
		// Verification of arbitrary accepted bytes must not panic either.
		msg := RequestMessage{Caller: a.Caller, Target: a.Target, Nonce: a.Nonce, Timestamp: a.Timestamp}
		_ = msg.Verify(a.Signature)
	})
}

func FuzzResponseSignature(f *testing.F) {
	f.Add("0x" + string(make([]byte, 130)))
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		h := http.Header{}
		h.Set(HeaderSignature, s)
		sig, err := ResponseSignature(h)
		if err != nil {
			return
		}
		if len(sig) != 65 {
			t.Fatalf("accepted %d-byte signature", len(sig))
		}
		r := ResponseMessage{}
		_ = r.Verify(sig, [20]byte{})
	})
}

func FuzzParseSynapsePath(f *testing.F) {
	f.Add("/synapse/textgen")
	f.Add("/synapse/")
	f.Fuzz(func(t *testing.T, p string) {
		name, err := ParseSynapsePath(p)
		if err != nil {
			return
		}
		if SynapsePath(name) != p || !ValidSynapseName(name) {
			t.Fatalf("accepted %q as %q", p, name)
		}
	})
}
