package chain

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// U64 is a uint64 that JSON encodes as a decimal string (so values above
// 2^53 survive JavaScript clients) and decodes from a string or a number.
type U64 uint64

func (u U64) MarshalJSON() ([]byte, error) {
	return json.Marshal(strconv.FormatUint(uint64(u), 10))
}

func (u *U64) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an unsigned 64-bit integer: %s", b)
	}
	*u = U64(v)
	return nil
}
