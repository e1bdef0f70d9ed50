package node

import (
	"log/slog"
	"os"
	"testing"
)

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: testLogLevel()}))
}

// testLogLevel is warn, or YUMA_TEST_LOG (debug, info, ...) when set.
func testLogLevel() slog.Level {
	var l slog.Level = slog.LevelWarn
	if v := os.Getenv("YUMA_TEST_LOG"); v != "" {
		l.UnmarshalText([]byte(v))
	}
	return l
}
