package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/node"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/types"
	"github.com/yumachain/yuma/wallet"
)

func walletColdkey(name string) wallet.Role { return wallet.Coldkey(name) }

var rewriteSchemas = flag.Bool("rewrite-schemas", false, "rewrite the golden JSON schemas under testdata/cli-schemas")

// The faucet is funded at genesis and is the chain admin. Its mnemonic is a
// public test vector: this chain exists only inside the test process.
const (
	faucetMnemonic = "test test test test test test test test test test test junk"
	faucetAddress  = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
	testPW         = "pw-for-cli-tests"
)

// testSubnetGenesis makes subnets cheap and fast: a 10 TAO lock, 1 TAO
// registration, 20-block tempo, weights once per 8 blocks, no freeze window.
const testSubnetGenesis = `{
  "network_min_lock": "10000000000", "network_rate_limit": 1, "admin_freeze_window": 0,
  "hyperparam_rate_limit_tempos": 0,
  "subnet_defaults": {"tempo": 20, "weights_rate_limit": 8, "serving_rate_limit": 0, "max_regs_per_block": 8,
    "target_regs_per_interval": 8, "initial_burn": 1000000000, "min_burn": 1000000, "max_burn": 100000000000}
}`

// cliLogBuffer is a goroutine-safe bytes.Buffer for logs.
type cliLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *cliLogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *cliLogBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startCLIChain starts an in-process single-node chain for one test and
// stops it when the test ends. Its logs are kept for the secrets check.
func startCLIChain(t *testing.T) (string, *cliLogBuffer) {
	t.Helper()
	logs := &cliLogBuffer{}
	faucet, _ := types.ParseAddress(faucetAddress)
	nodes, _, err := node.InitTestnet(t.TempDir(), node.TestnetOptions{
		Nodes: 1, ChainID: "yuma-cli-test", Params: chain.Params{MinFee: 1000}, Admin: faucet,
		Accounts: []chain.GenesisAccount{{Address: faucet, Balance: chain.U64(1_000_000 * chain.RaoPerTAO)}},
		Modules:  map[string]json.RawMessage{"subnet": json.RawMessage(testSubnetGenesis)},
		Configure: func(_ int, c *node.Config) {
			c.Consensus.BlockTime = node.Duration{Duration: 250 * time.Millisecond}
			c.Consensus.TimeoutPropose = node.Duration{Duration: time.Second}
			c.Metrics.Listen = ""
			c.Log.Level = "info"
		},
	})
	if err != nil {
		t.Fatalf("init test chain: %v", err)
	}
	cfg, err := node.LoadConfig(nodes[0].Home)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	n, err := node.New(nodes[0].Home, cfg, logger, node.WithModules(defaultModules()...))
	if err != nil {
		t.Fatalf("open test node: %v", err)
	}
	if err := n.Start(); err != nil {
		n.Stop()
		t.Fatalf("start test node: %v", err)
	}
	t.Cleanup(func() { n.Stop() })
	url := "http://" + n.RPCAddr()
	cl, _ := rpc.Dial(url)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		h, err := cl.Head(ctx)
		cancel()
		if err == nil && h.Height >= 1 {
			return url, logs
		}
		if time.Now().After(deadline) {
			t.Fatalf("test node made no block in 60s (last error %v)", err)
		}
	}
}

// cliEnv is one user's machine: a YUMA_HOME with a config.toml pointing at
// the test chain, and a record of everything the CLI printed.
type cliEnv struct {
	t      *testing.T
	home   string
	rpc    string
	logs   *cliLogBuffer // the node's log
	pwFile string
	all    *cliLogBuffer // every stdout and stderr of the session
}

func newCLIEnv(t *testing.T) *cliEnv {
	t.Helper()
	e := &cliEnv{t: t, home: t.TempDir(), all: &cliLogBuffer{}}
	t.Setenv("YUMA_HOME", e.home)
	t.Setenv("YUMA_PASSWORD", "")
	os.Unsetenv("YUMA_PASSWORD")
	e.pwFile = filepath.Join(e.home, "pw")
	if err := os.WriteFile(e.pwFile, []byte(testPW+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

// withChain points the env's config at the shared chain.
func (e *cliEnv) withChain() *cliEnv {
	e.rpc, e.logs = startCLIChain(e.t)
	cfg := fmt.Sprintf("rpc = %q\ntimeout = \"60s\"\n", e.rpc)
	if err := os.WriteFile(filepath.Join(e.home, "config.toml"), []byte(cfg), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return e
}

// with returns the env for a subtest.
func (e *cliEnv) with(t *testing.T) *cliEnv {
	c := *e
	c.t = t
	return &c
}

type cliResult struct {
	stdout, stderr string
	code           int
}

// yuma runs the CLI in-process.
func (e *cliEnv) yuma(stdin string, args ...string) cliResult {
	e.t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	fmt.Fprintf(e.all, "$ yuma %s\n%s%s", strings.Join(args, " "), out.String(), errb.String())
	return cliResult{out.String(), errb.String(), code}
}

// ok runs the CLI and fails the test unless it exits 0.
func (e *cliEnv) ok(args ...string) cliResult {
	e.t.Helper()
	r := e.yuma("", args...)
	if r.code != 0 {
		e.t.Fatalf("yuma %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// okJSON runs a --json command, checks its output against the golden schema
// and decodes it into v.
func (e *cliEnv) okJSON(schema string, v any, args ...string) cliResult {
	e.t.Helper()
	r := e.ok(append(args, "--json")...)
	checkSchema(e.t, schema, r.stdout)
	if v != nil {
		if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
			e.t.Fatalf("yuma %s --json: %v\n%s", strings.Join(args, " "), err, r.stdout)
		}
	}
	return r
}

func mustUnmarshal(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
}

// fails runs the CLI and checks it fails with exactly one clear line on
// stderr that contains every want.
func (e *cliEnv) fails(want []string, args ...string) cliResult {
	e.t.Helper()
	r := e.yuma("", args...)
	if r.code == 0 {
		e.t.Fatalf("yuma %s: exit 0, want failure\nstdout: %s", strings.Join(args, " "), r.stdout)
	}
	checkErrorLine(e.t, r.stderr, want...)
	return r
}

func checkErrorLine(t *testing.T, stderr string, want ...string) {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(stderr, "\n"), "\n") {
		// A transaction that failed on chain was first reported as submitted.
		if !strings.HasSuffix(l, ", waiting for inclusion") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "error: ") {
		t.Fatalf("stderr is not one error line:\n%s", stderr)
	}
	for _, w := range want {
		if !strings.Contains(lines[0], w) {
			t.Fatalf("error %q does not mention %q", lines[0], w)
		}
	}
	for _, bad := range []string{"-320", "code -", "panic", "goroutine"} {
		if strings.Contains(lines[0], bad) {
			t.Fatalf("error %q has %q", lines[0], bad)
		}
	}
}

// ---- golden schemas ----

// shapeOf reduces a JSON value to its schema: objects keep their keys,
// arrays the shape of their elements, scalars become their type name.
func shapeOf(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, x := range v {
			m[k] = shapeOf(x)
		}
		return m
	case []any:
		if len(v) == 0 {
			return []any{}
		}
		return []any{shapeOf(v[0])}
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// shapeDiff reports where got differs from want. An empty array on either
// side matches any array.
func shapeDiff(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %v", path, got)}
		}
		var diffs []string
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			wv, wok := w[k]
			gv, gok := g[k]
			switch {
			case !gok:
				diffs = append(diffs, fmt.Sprintf("%s.%s: missing", path, k))
			case !wok:
				diffs = append(diffs, fmt.Sprintf("%s.%s: not in the schema", path, k))
			default:
				diffs = append(diffs, shapeDiff(path+"."+k, wv, gv)...)
			}
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an array, got %v", path, got)}
		}
		if len(w) == 0 || len(g) == 0 {
			return nil
		}
		return shapeDiff(path+"[]", w[0], g[0])
	}
	if want == "any" {
		return nil // documented as varying (e.g. a call's fields depend on its kind)
	}
	if !reflect.DeepEqual(want, got) {
		return []string{fmt.Sprintf("%s: want %v, got %v", path, want, got)}
	}
	return nil
}

// checkSchema compares out's shape with testdata/cli-schemas/NAME.json
// (rewritten with -rewrite-schemas). Every element of every array must
// have the same shape.
func checkSchema(t *testing.T, name, out string) {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%s: output is not JSON: %v\n%s", name, err, out)
	}
	if diffs := uniformArrays("$", v); len(diffs) > 0 {
		t.Fatalf("%s: arrays with mixed shapes:\n%s", name, strings.Join(diffs, "\n"))
	}
	got := shapeOf(v)
	path := filepath.Join("testdata", "cli-schemas", name+".json")
	if *rewriteSchemas {
		if old, err := os.ReadFile(path); err == nil {
			var ow any
			// Keep a richer golden (non-empty arrays) over a poorer sample.
			if json.Unmarshal(old, &ow) == nil && len(shapeDiff("$", ow, got)) == 0 && richer(ow, got) {
				return
			}
		}
		if old, err := os.ReadFile(path); err == nil {
			var ow any
			if json.Unmarshal(old, &ow) == nil {
				got = keepAny(ow, got)
			}
		}
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: no golden schema (run go test ./cmd/yuma -run %s -rewrite-schemas): %v", name, t.Name(), err)
	}
	var want any
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if diffs := shapeDiff("$", want, got); len(diffs) > 0 {
		t.Fatalf("%s: output does not match %s:\n%s\noutput:\n%s", name, path, strings.Join(diffs, "\n"), out)
	}
}

// keepAny carries the "any" markers of an old golden schema into a new one.
func keepAny(old, got any) any {
	if old == "any" {
		return "any"
	}
	switch o := old.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return got
		}
		for k, v := range o {
			if gv, ok := g[k]; ok {
				g[k] = keepAny(v, gv)
			}
		}
	case []any:
		g, ok := got.([]any)
		if ok && len(o) > 0 && len(g) > 0 {
			g[0] = keepAny(o[0], g[0])
		}
	}
	return got
}

// richer reports whether a has a non-empty array where b has an empty one.
func richer(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, _ := b.(map[string]any)
		for k, v := range a {
			if richer(v, bm[k]) {
				return true
			}
		}
	case []any:
		bs, _ := b.([]any)
		if len(a) > 0 && len(bs) == 0 {
			return true
		}
		if len(a) > 0 && len(bs) > 0 {
			return richer(a[0], bs[0])
		}
	}
	return false
}

func uniformArrays(path string, v any) []string {
	var diffs []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			diffs = append(diffs, uniformArrays(path+"."+k, x)...)
		}
	case []any:
		for i, x := range v {
			if i > 0 {
				diffs = append(diffs, shapeDiff(fmt.Sprintf("%s[%d]", path, i), shapeOf(v[0]), shapeOf(x))...)
			}
			diffs = append(diffs, uniformArrays(path+"[]", x)...)
		}
	}
	return diffs
}

// ---- unit tests of the helpers ----

func TestShapeDiffCatchesChanges(t *testing.T) {
	var a, b any
	json.Unmarshal([]byte(`{"x":"1","y":[{"z":true}],"e":[]}`), &a)
	if d := shapeDiff("$", shapeOf(a), shapeOf(a)); len(d) != 0 {
		t.Fatalf("same shape differs: %v", d)
	}
	for _, other := range []string{
		`{"x":1,"y":[{"z":true}],"e":[]}`,              // type change
		`{"x":"1","y":[{"z":true}]}`,                   // missing key
		`{"x":"1","y":[{"z":true,"w":1}],"e":[]}`,      // extra key in an element
		`{"x":"1","y":[{"z":true}],"e":[],"new":null}`, // extra key
	} {
		json.Unmarshal([]byte(other), &b)
		if d := shapeDiff("$", shapeOf(a), shapeOf(b)); len(d) == 0 {
			t.Errorf("%s: no difference found", other)
		}
	}
}

// TestAmounts: the CLI's amounts, in tables and in --json, are
// internal/tao's 9-decimal form; --rao shows rao; a bad --amount is
// invalid_amount.
func TestAmounts(t *testing.T) {
	g := &globals{}
	for rao, want := range map[uint64]string{0: "0.000000000", 1: "0.000000001", 1_500_000_000: "1.500000000", 21_000_000 * chain.RaoPerTAO: "21000000.000000000"} {
		if got := g.amountText(rao); got != want+" TAO" {
			t.Errorf("amountText(%d) = %s, want %s TAO", rao, got, want)
		}
		if a := amountOf(rao); a.TAO != want || a.Rao != strconv.FormatUint(rao, 10) {
			t.Errorf("amountOf(%d) = %+v", rao, a)
		}
	}
	g.rao = true
	if got := g.amountText(1500); got != "1500 rao" {
		t.Fatalf("--rao: %s", got)
	}
	for in, want := range map[string]uint64{"1.5": 1_500_000_000, "2tao": 2_000_000_000, "1500rao": 1500, "1_000": 1000 * chain.RaoPerTAO} {
		if got, err := parseAmount("amount", in); err != nil || got != want {
			t.Errorf("parseAmount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"1.0000000001", "abc", "99999999999", "0"} {
		_, err := parseAmount("amount", in)
		if ce := g.classify(err); ce.Code != "invalid_amount" || !strings.Contains(ce.Msg, "--amount") {
			t.Errorf("parseAmount(%q): %+v, want invalid_amount naming --amount", in, ce)
		}
	}
}

func TestTxErrorText(t *testing.T) {
	g := &globals{}
	e := g.txError("weights_rate_limited", "weights set too recently", 1234, "", "")
	if e.Code != "weights_rate_limited" || !strings.Contains(e.Msg, "weights rate limited") || !strings.Contains(e.Msg, "next allowed at block 1234") {
		t.Fatalf("rate limit: %+v", e)
	}
	raw, _ := json.Marshal(rpc.TxErrorData{Code: "bad_nonce"})
	ce := g.classify(&rpc.Error{Code: rpc.CodeTxRejected, Message: "bad_nonce: nonce 3, account 0x… expects 4", Data: raw})
	if ce.Code != "bad_nonce" || strings.Contains(ce.Msg, "-32010") || !strings.Contains(ce.Msg, "wait for it") {
		t.Fatalf("rejection: %+v", ce)
	}
}

// TestEveryCommandHasHelpWithExample runs `--help` on every command of the
// user-facing groups.
func TestEveryCommandHasHelpWithExample(t *testing.T) {
	e := newCLIEnv(t)
	root := newRootCmd()
	if root.Example == "" {
		t.Fatal("yuma has no example")
	}
	groups := map[string]bool{"wallet": true, "subnet": true, "neuron": true, "stake": true, "delegate": true, "weights": true, "metagraph": true, "chain": true}
	n := 0
	for _, c := range root.Commands() {
		if !groups[c.Name()] {
			continue
		}
		cmds := append([]*cobra.Command{c}, c.Commands()...)
		for _, sub := range cmds {
			if sub.Hidden {
				t.Errorf("%s is hidden", sub.CommandPath())
			}
			args := strings.Fields(strings.TrimPrefix(sub.CommandPath(), "yuma "))
			r := e.ok(append(args, "--help")...)
			if !strings.Contains(r.stdout, "Examples:") || !strings.Contains(r.stdout, "yuma "+strings.Join(args, " ")) || !strings.Contains(r.stdout, "--json") {
				t.Errorf("%s --help lacks an example or the global flags:\n%s", sub.CommandPath(), r.stdout)
			}
			n++
		}
	}
	if n < 30 {
		t.Fatalf("only %d commands found", n)
	}
	if r := e.ok("--help"); !strings.Contains(r.stdout, "wallet") || !strings.Contains(r.stdout, "metagraph") {
		t.Fatalf("yuma --help lacks the groups:\n%s", r.stdout)
	}
}

func TestConfigFileDefaults(t *testing.T) {
	e := newCLIEnv(t)
	other := t.TempDir()
	cfg := fmt.Sprintf("wallet = \"cfgwallet\"\nwallet_path = %q\n", other)
	os.WriteFile(filepath.Join(e.home, "config.toml"), []byte(cfg), 0o600)
	e.ok("wallet", "new-hotkey", "--show-mnemonic")
	if _, err := os.Stat(filepath.Join(other, "cfgwallet", "hotkeys", "default")); err != nil {
		t.Fatalf("config defaults not applied: %v", err)
	}
	// A flag beats the config.
	e.ok("wallet", "new-hotkey", "--show-mnemonic", "--wallet", "flagwallet")
	if _, err := os.Stat(filepath.Join(other, "flagwallet")); err != nil {
		t.Fatalf("flag did not override the config: %v", err)
	}
	os.WriteFile(filepath.Join(e.home, "config.toml"), []byte("walet = \"x\"\n"), 0o600)
	e.fails([]string{"unknown setting \"walet\""}, "wallet", "list")
	os.WriteFile(filepath.Join(e.home, "config.toml"), []byte("yes = true\n"), 0o600)
	e.fails([]string{"unknown setting \"yes\""}, "wallet", "list")
	e.fails([]string{"no-such.toml"}, "wallet", "list", "--config", filepath.Join(e.home, "no-such.toml"))
}

func TestHeadlessPasswordSources(t *testing.T) {
	e := newCLIEnv(t)
	words := filepath.Join(e.home, "w.words")
	// From a file descriptor.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w.WriteString(testPW + "\n")
	w.Close()
	e.ok("wallet", "new-coldkey", "--wallet", "fd", "--password-fd", strconv.Itoa(int(r.Fd())), "--mnemonic-out", words, "--light-kdf")
	// From an environment variable, named or the default.
	t.Setenv("MY_PW", testPW)
	e.ok("wallet", "regen-coldkey", "--wallet", "env", "--mnemonic-file", words, "--password-env", "MY_PW", "--light-kdf")
	t.Setenv("YUMA_PASSWORD", testPW)
	e.ok("wallet", "regen-coldkey", "--wallet", "defenv", "--mnemonic-file", words, "--light-kdf")
	os.Unsetenv("YUMA_PASSWORD")
	// Each opens with the password from the file: it is the same password.
	st, _ := (&globals{walletPath: filepath.Join(e.home, "wallets")}).store()
	for _, name := range []string{"fd", "env", "defenv"} {
		if _, err := st.Load(walletColdkey(name), func(string) (string, error) { return testPW, nil }); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	e.fails([]string{"MISSING_PW", "not set"}, "wallet", "regen-coldkey", "--wallet", "x", "--mnemonic-file", words, "--password-env", "MISSING_PW")
	e.fails([]string{"only one of"}, "wallet", "regen-coldkey", "--wallet", "x", "--mnemonic-file", words, "--password-env", "MY_PW", "--password-file", e.pwFile)
	e.fails([]string{"file descriptor 987"}, "wallet", "regen-coldkey", "--wallet", "x", "--mnemonic-file", words, "--password-fd", "987")
	empty := filepath.Join(e.home, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	e.fails([]string{"empty"}, "wallet", "regen-coldkey", "--wallet", "x", "--mnemonic-file", words, "--password-file", empty)
	assertNoSecrets(t, "CLI output", e.all.String(), secretsOf(t, words))
}
