package main

// Shared plumbing of the user-facing command groups (wallet, subnet,
// neuron, stake, delegate, weights, metagraph, chain): the global flags and
// config file, JSON and table output, TAO formatting, the transaction flow
// with its spinner, and errors that say what to do next. The JSON schemas
// are documented in docs/cli-json.md.

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/internal/tao"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/types"
	"github.com/yumachain/yuma/wallet"
)

const defaultRPC = "http://127.0.0.1:8545"

// globals are the flags every user-facing group shares. Each group has its
// own instance, registered as persistent flags on the group command.
type globals struct {
	rpcURL     string
	walletName string
	hotkeyName string
	walletPath string
	configFile string
	yes        bool
	jsonOut    bool
	rao        bool
	noWait     bool
	lightKDF   bool
	timeout    time.Duration
	fee        uint64
	pwFD       int
	pwFile     string
	pwEnv      string

	cmd      *cobra.Command // the running leaf command
	pw       *wallet.PasswordSource
	cl       *rpc.Client
	gen      *chain.Genesis
	timer    *time.Timer // --timeout of the running command
	deadline time.Time   // when timer fires
}

// configKeys are the settings config.toml may hold: flag names with '_' for
// '-'. --yes and --overwrite are deliberately not settable there.
var configKeys = []string{"rpc", "wallet", "hotkey", "wallet_path", "timeout", "fee", "rao", "json", "password_file", "password_env"}

func addGlobalFlags(c *cobra.Command, g *globals) {
	f := c.PersistentFlags()
	f.StringVar(&g.rpcURL, "rpc", defaultRPC, "JSON-RPC URL of a node")
	f.StringVarP(&g.walletName, "wallet", "w", "default", "wallet name")
	f.StringVarP(&g.hotkeyName, "hotkey", "k", wallet.DefaultHotkey, "hotkey name within the wallet")
	f.StringVar(&g.walletPath, "wallet-path", "", "wallets folder (default $YUMA_HOME/wallets or ~/.yuma/wallets)")
	f.StringVar(&g.configFile, "config", "", "config file (default $YUMA_HOME/config.toml or ~/.yuma/config.toml)")
	f.BoolVarP(&g.yes, "yes", "y", false, "do not ask for confirmation")
	f.BoolVar(&g.jsonOut, "json", false, "print the result as JSON (schemas: docs/cli-json.md)")
	f.BoolVar(&g.rao, "rao", false, "show amounts in rao instead of TAO")
	f.BoolVar(&g.noWait, "no-wait", false, "submit transactions and print the hash without waiting for inclusion")
	f.DurationVar(&g.timeout, "timeout", 60*time.Second, "give up after this long")
	f.Uint64Var(&g.fee, "fee", 0, "transaction fee in rao (default: the chain's minimum)")
	f.IntVar(&g.pwFD, "password-fd", 0, "read the key password from this file descriptor (first line)")
	f.StringVar(&g.pwFile, "password-file", "", "read the key password from the first line of this file")
	f.StringVar(&g.pwEnv, "password-env", "", "read the key password from this environment variable (default YUMA_PASSWORD)")
	f.BoolVar(&g.lightKDF, "light-kdf", false, "encrypt new keys with weak, fast scrypt parameters (tests only)")
	c.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		g.cmd = cmd
		return g.applyConfig(cmd.Flags())
	}
}

// configPath returns the config file to read and whether it was named
// explicitly.
func (g *globals) configPath() (string, bool) {
	if g.configFile != "" {
		return g.configFile, true
	}
	if h := os.Getenv("YUMA_HOME"); h != "" {
		return filepath.Join(h, "config.toml"), false
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".yuma", "config.toml"), false
	}
	return "", false
}

// applyConfig sets every flag the command line left alone from the config
// file. Unknown keys are an error, so a typo is not silently ignored.
func (g *globals) applyConfig(fs *pflag.FlagSet) error {
	path, explicit := g.configPath()
	if path == "" {
		return nil
	}
	var m map[string]any
	if _, err := toml.DecodeFile(path, &m); err != nil {
		if errors.Is(err, os.ErrNotExist) && !explicit {
			return nil
		}
		return &cliError{Code: "bad_config", Msg: fmt.Sprintf("config file %s: %v", path, err)}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		known := false
		for _, c := range configKeys {
			known = known || c == k
		}
		if !known {
			return &cliError{Code: "bad_config", Msg: fmt.Sprintf("config file %s: unknown setting %q (known: %s)", path, k, strings.Join(configKeys, ", "))}
		}
		name := strings.ReplaceAll(k, "_", "-")
		if fs.Lookup(name) == nil || fs.Changed(name) {
			continue
		}
		if err := fs.Set(name, fmt.Sprint(m[k])); err != nil {
			return &cliError{Code: "bad_config", Msg: fmt.Sprintf("config file %s: %s: %v", path, k, err)}
		}
	}
	return nil
}

// ---- errors ----

// cliError is what a command failed with: a stable code for scripts, one
// human line, and for rate limits the block at which to retry.
type cliError struct {
	Code    string
	Msg     string
	RetryAt uint64
	TxHash  string
}

func (e *cliError) Error() string { return e.Msg }

// errorJSON is the --json form of a failure.
type errorJSON struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		RetryAt uint64 `json:"retry_at"`
		TxHash  string `json:"tx_hash"`
	} `json:"error"`
}

var walletCodes = []struct {
	err  error
	code string
}{
	{wallet.ErrWalletNotFound, "wallet_not_found"},
	{wallet.ErrKeyNotFound, "key_not_found"},
	{wallet.ErrWrongPassword, "wrong_password"},
	{wallet.ErrCorruptKeyfile, "corrupt_keyfile"},
	{wallet.ErrLoosePermissions, "loose_permissions"},
	{wallet.ErrKeyExists, "key_exists"},
	{wallet.ErrKeyMismatch, "key_mismatch"},
	{wallet.ErrBadMnemonic, "bad_mnemonic"},
	{wallet.ErrBadName, "bad_name"},
	{wallet.ErrNoPassword, "no_password"},
	{wallet.ErrEmptyPassword, "empty_password"},
	{types.ErrBadAddress, "bad_address"},
	{tao.ErrSyntax, "invalid_amount"},
	{tao.ErrPrecision, "invalid_amount"},
	{tao.ErrRange, "invalid_amount"},
}

// txHints say what to do after the chain refuses a transaction.
var txHints = map[string]string{
	"bad_nonce":                 "another transaction from this account may be pending: wait for it to land, then retry",
	"fee_too_low":               "raise --fee",
	"cannot_pay_fee":            "fund the account first (see `yuma wallet balance`)",
	"insufficient_balance":      "check `yuma wallet balance`",
	"wrong_chain_id":            "--rpc points at a node of another chain",
	"duplicate_tx":              "it was already submitted: look it up with `yuma chain tx HASH`",
	"bad_signature":             "the key does not match the account: check --wallet and --hotkey",
	"commit_reveal_enabled":     "this subnet takes weights by commit and reveal: use `yuma weights commit`, then `yuma weights reveal`",
	"commit_reveal_disabled":    "this subnet takes weights directly: use `yuma weights set`",
	"incorrect_weights_version": "pass --version-key (see weights_version in `yuma subnet hyperparameters`)",
	"hotkey_not_registered":     "register it first with `yuma neuron register`",
	"hotkey_not_found":          "the hotkey must be registered on a subnet before stake can go behind it",
	"not_subnet_owner":          "sign with the owner's wallet (--wallet)",
	"not_hotkey_owner":          "sign with the wallet whose coldkey registered the hotkey",
	"unknown_hyperparameter":    "see the names with `yuma subnet hyperparameters`",
	"subnet_not_found":          "see `yuma subnet list`",
	"registration_disabled":     "the subnet owner has turned registration off",
	"hotkey_already_registered": "see `yuma wallet overview`",
	"admin_freeze_window":       "retry after the subnet's epoch",
	"no_validator_permit":       "only validators with a permit may set weights on others; stake more, or wait for the next epoch",
	"stake_too_low":             "see min_stake of the chain",
}

// classify turns any error into a cliError with a code and one line.
func (g *globals) classify(err error) *cliError {
	var ce *cliError
	if errors.As(err, &ce) {
		return ce
	}
	for _, wc := range walletCodes {
		if errors.Is(err, wc.err) {
			return &cliError{Code: wc.code, Msg: oneLine(err.Error())}
		}
	}
	var re *rpc.Error
	if errors.As(err, &re) {
		switch re.Code {
		case rpc.CodeTxRejected:
			var d rpc.TxErrorData
			_ = json.Unmarshal(re.Data, &d)
			msg := strings.TrimPrefix(re.Message, d.Code+": ")
			if i := strings.LastIndex(msg, " (retry at block "); i >= 0 {
				msg = msg[:i]
			}
			return g.txError(d.Code, msg, d.RetryAt, "", "transaction refused")
		case rpc.CodeNotFound:
			return &cliError{Code: "not_found", Msg: oneLine(re.Message)}
		case rpc.CodeTimeout:
			return &cliError{Code: "timeout", Msg: oneLine(re.Message)}
		case rpc.CodeUnavailable:
			return &cliError{Code: "unavailable", Msg: oneLine(re.Message) + " (the node cannot serve this now: retry shortly)"}
		case rpc.CodeMethodNotFound:
			return &cliError{Code: "unsupported", Msg: fmt.Sprintf("the node at %s does not support this (%s): upgrade the node", g.rpcURL, oneLine(re.Message))}
		case rpc.CodeInvalidParams:
			return &cliError{Code: "invalid_argument", Msg: "the node refused the request: " + oneLine(re.Message)}
		}
		return &cliError{Code: "rpc_error", Msg: "the node failed the request: " + oneLine(re.Message)}
	}
	if errors.Is(err, rpc.ErrUnreachable) {
		return &cliError{Code: "node_unreachable", Msg: oneLine(err.Error())}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &cliError{Code: "timeout", Msg: fmt.Sprintf("gave up after %s (raise --timeout): %s", g.timeout, oneLine(err.Error()))}
	}
	if errors.Is(err, context.Canceled) {
		return &cliError{Code: "interrupted", Msg: "interrupted"}
	}
	return &cliError{Code: "error", Msg: oneLine(err.Error())}
}

// txError explains a chain transaction error: its code in words, the
// chain's message, when to retry and what to do.
func (g *globals) txError(code, msg string, retryAt uint64, hash, what string) *cliError {
	title := strings.ReplaceAll(code, "_", " ")
	if title == "" {
		title = what
	}
	line := title
	if msg != "" {
		line += ": " + msg
	}
	if retryAt != 0 {
		line += "; " + g.retryText(retryAt)
	}
	if h, ok := txHints[code]; ok {
		line += " (" + h + ")"
	}
	if hash != "" {
		line += "; tx " + hash + ", the fee was charged"
	}
	return &cliError{Code: code, Msg: oneLine(line), RetryAt: retryAt, TxHash: hash}
}

// retryText says "next allowed at block N (in ~S s)", estimating the wait
// from the recent block interval when the node answers quickly.
func (g *globals) retryText(at uint64) string {
	s := fmt.Sprintf("next allowed at block %d", at)
	if g.cl == nil {
		return s
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	h, err := g.cl.Head(ctx)
	if err != nil {
		return s
	}
	if at <= h.Height {
		return s + " (now)"
	}
	interval := time.Second
	if h.Height > 1 {
		from := uint64(1)
		if h.Height > 21 {
			from = h.Height - 20
		}
		if b, err := g.cl.Block(ctx, from); err == nil && h.Time > b.Time {
			interval = time.Duration((h.Time-b.Time)/int64(h.Height-from)) * time.Millisecond
		}
	}
	secs := int64((time.Duration(at-h.Height) * interval).Round(time.Second) / time.Second)
	return fmt.Sprintf("%s (in ~%d s)", s, max(secs, 1))
}

// errTimedOut is the cancel cause when --timeout runs out.
var errTimedOut = errors.New("timed out")

// pausePrompt stops the --timeout clock while f waits for a person, and
// restarts it in full afterwards.
func (g *globals) pausePrompt(f func() error) error {
	if g.timer == nil {
		return f()
	}
	g.timer.Stop()
	defer func() {
		g.deadline = time.Now().Add(g.timeout)
		g.timer.Reset(g.timeout)
	}()
	return f()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// run wraps a command body: it sets up the timeout and, with --json, writes
// failures to stdout as an errorJSON as well (the human line always goes to
// stderr through main's run).
func (g *globals) run(body func(ctx context.Context, cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		g.cmd = cmd
		// The timeout runs while the command works, not while it waits for
		// someone at a prompt (see pausePrompt).
		ctx, cancel := context.WithCancelCause(cmd.Context())
		defer cancel(nil)
		g.deadline = time.Now().Add(g.timeout)
		g.timer = time.AfterFunc(g.timeout, func() { cancel(errTimedOut) })
		defer g.timer.Stop()
		err := body(ctx, cmd, args)
		if err != nil && errors.Is(context.Cause(ctx), errTimedOut) && !errors.As(err, new(*cliError)) {
			err = &cliError{Code: "timeout", Msg: fmt.Sprintf("gave up after %s (raise --timeout): %s", g.timeout, oneLine(err.Error()))}
		}
		if err == nil {
			return nil
		}
		ce := g.classify(err)
		if g.jsonOut {
			var out errorJSON
			out.Error.Code, out.Error.Message, out.Error.RetryAt, out.Error.TxHash = ce.Code, ce.Msg, ce.RetryAt, ce.TxHash
			g.printJSON(cmd.OutOrStdout(), out)
		}
		return ce
	}
}

// ---- output ----

func (g *globals) printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// emit prints v as JSON with --json, else calls human.
func (g *globals) emit(v any, human func(w io.Writer)) error {
	w := g.cmd.OutOrStdout()
	if g.jsonOut {
		return g.printJSON(w, v)
	}
	human(w)
	return nil
}

// table prints rows under a header, columns separated by two spaces.
func printTable(w io.Writer, header []string, rows [][]string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

// amountText is an amount for people: TAO by default, rao with --rao.
func (g *globals) amountText(rao uint64) string {
	if g.rao {
		return strconv.FormatUint(rao, 10) + " rao"
	}
	return tao.Format(rao) + " TAO"
}

// amountJSON is every amount in --json output: rao as a decimal string
// (exact beyond 2^53) and the same in TAO with 9 decimals.
type amountJSON struct {
	Rao string `json:"rao"`
	TAO string `json:"tao"`
}

func amountOf(rao uint64) amountJSON {
	return amountJSON{Rao: strconv.FormatUint(rao, 10), TAO: tao.Format(rao)}
}

// u16Fraction shows a u16 fraction of 65535 as a decimal in [0, 1].
func u16Fraction(v uint16) string { return fmt.Sprintf("%.5f", float64(v)/65535) }

// spinner shows progress on a terminal; elsewhere it prints one plain line.
type spinner struct {
	stop chan struct{}
	done sync.WaitGroup
	w    io.Writer
	tty  bool
}

func (g *globals) startSpinner(msg string) *spinner {
	w := g.cmd.ErrOrStderr()
	s := &spinner{stop: make(chan struct{}), w: w, tty: wallet.IsTerminal(w)}
	if !s.tty {
		if !g.jsonOut {
			fmt.Fprintln(w, msg)
		}
		return s
	}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		frames := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			fmt.Fprintf(w, "\r%c %s", frames[i%len(frames)], msg)
			select {
			case <-s.stop:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *spinner) Stop() {
	if s.tty {
		close(s.stop)
		s.done.Wait()
	}
}

// ---- prompts ----

func (g *globals) stdinTTY() bool { return wallet.IsTerminal(g.cmd.InOrStdin()) }

// confirm asks a yes/no question on a terminal. With --yes, or without a
// terminal to ask on, it does not ask and returns true.
func (g *globals) confirm(question string) (bool, error) {
	if g.yes || !g.stdinTTY() {
		return true, nil
	}
	return g.ask(question)
}

func (g *globals) ask(question string) (bool, error) {
	fmt.Fprintf(g.cmd.ErrOrStderr(), "%s [y/N] ", question)
	var line string
	err := g.pausePrompt(func() (err error) {
		line, err = bufio.NewReader(g.cmd.InOrStdin()).ReadString('\n')
		return err
	})
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes", nil
}

// ---- wallets and keys ----

func (g *globals) store() (*wallet.Store, error) {
	root := g.walletPath
	if root == "" {
		r, err := wallet.DefaultRoot(nil)
		if err != nil {
			return nil, err
		}
		root = r
	}
	s := wallet.Open(root)
	if g.lightKDF {
		s.KDF = wallet.LightKDF
	}
	return s, nil
}

func (g *globals) passwords() *wallet.PasswordSource {
	if g.pw == nil {
		g.pw = &wallet.PasswordSource{FD: g.pwFD, File: g.pwFile, Env: g.pwEnv}
		if p := wallet.TerminalPrompt(g.cmd.InOrStdin(), g.cmd.ErrOrStderr()); p != nil {
			g.pw.Prompt = func(prompt string) (pw string, err error) {
				err = g.pausePrompt(func() error { pw, err = p(prompt); return err })
				return pw, err
			}
		}
	}
	return g.pw
}

// coldkey opens the wallet's coldkey (asking for its password).
func (g *globals) coldkey() (*ecdsa.PrivateKey, error) {
	s, err := g.store()
	if err != nil {
		return nil, err
	}
	return s.Load(wallet.Coldkey(g.walletName), g.passwords().Func())
}

// hotkey opens the wallet's hotkey.
func (g *globals) hotkey() (*ecdsa.PrivateKey, error) {
	s, err := g.store()
	if err != nil {
		return nil, err
	}
	return s.Load(wallet.Hotkey(g.walletName, g.hotkeyName), g.passwords().Func())
}

// hotkeyAddress is the address of the wallet's hotkey, from its public file.
func (g *globals) hotkeyAddress() (types.Address, error) {
	s, err := g.store()
	if err != nil {
		return types.Address{}, err
	}
	p, err := s.Public(wallet.Hotkey(g.walletName, g.hotkeyName))
	return p.Address, err
}

func (g *globals) coldkeyAddress() (types.Address, error) {
	s, err := g.store()
	if err != nil {
		return types.Address{}, err
	}
	p, err := s.Public(wallet.Coldkey(g.walletName))
	return p.Address, err
}

// resolveAddress reads an address argument: 0x… (EIP-55 checked), a wallet
// name (its coldkey) or WALLET/HOTKEY (that hotkey).
func (g *globals) resolveAddress(s string) (types.Address, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return types.ParseAddress(s)
	}
	st, err := g.store()
	if err != nil {
		return types.Address{}, err
	}
	role := wallet.Coldkey(s)
	if w, h, ok := strings.Cut(s, "/"); ok {
		role = wallet.Hotkey(w, h)
	}
	if wallet.CheckName("wallet", role.Wallet) != nil || (role.Hotkey != "" && wallet.CheckName("hotkey", role.Hotkey) != nil) {
		return types.Address{}, &cliError{Code: "bad_address", Msg: fmt.Sprintf("%q is neither an address (0x followed by 40 hex digits) nor a wallet name", s)}
	}
	p, err := st.Public(role)
	if err != nil {
		return types.Address{}, err
	}
	return p.Address, nil
}

// parseAmount reads a TAO amount flag.
func parseAmount(flag, s string) (uint64, error) {
	if strings.TrimSpace(s) == "" {
		return 0, &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--%s is required (TAO, e.g. 1.5, or rao, e.g. 1500rao)", flag)}
	}
	v, err := tao.Parse(s)
	if err != nil {
		return 0, &cliError{Code: "invalid_amount", Msg: fmt.Sprintf("--%s: %v", flag, err)}
	}
	if v == 0 {
		return 0, &cliError{Code: "invalid_amount", Msg: fmt.Sprintf("--%s must be more than zero", flag)}
	}
	return v, nil
}

// ---- chain access and transactions ----

func (g *globals) client() (*rpc.Client, error) {
	if g.cl != nil {
		return g.cl, nil
	}
	cl, err := rpc.Dial(g.rpcURL)
	if err != nil {
		return nil, &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--rpc %q is not a node URL: use http://HOST:PORT (default %s)", g.rpcURL, defaultRPC)}
	}
	g.cl = cl
	return cl, nil
}

func (g *globals) genesis(ctx context.Context) (*chain.Genesis, error) {
	if g.gen != nil {
		return g.gen, nil
	}
	cl, err := g.client()
	if err != nil {
		return nil, err
	}
	gen, err := cl.Genesis(ctx)
	if err != nil {
		return nil, err
	}
	g.gen = gen
	return gen, nil
}

// txJSON is the transaction part of every transaction command's --json.
type txJSON struct {
	Hash   string      `json:"hash"`
	Status string      `json:"status"` // "pending" (--no-wait) or "included"
	Height uint64      `json:"height"` // 0 while pending
	OK     bool        `json:"ok"`     // the call succeeded (false while pending)
	Signer string      `json:"signer"`
	Nonce  uint64      `json:"nonce"`
	Fee    amountJSON  `json:"fee"`
	Events []eventJSON `json:"events"`
}

type eventJSON struct {
	Type  string     `json:"type"`
	Attrs []attrJSON `json:"attrs"`
}

type attrJSON struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func eventsOf(evs []chain.Event) []eventJSON {
	out := []eventJSON{}
	for _, e := range evs {
		ej := eventJSON{Type: e.Type, Attrs: []attrJSON{}}
		for _, a := range e.Attrs {
			ej.Attrs = append(ej.Attrs, attrJSON{a.Key, a.Value})
		}
		out = append(out, ej)
	}
	return out
}

// event finds the first attribute key of an event of type typ.
func (t txJSON) event(typ, key string) (string, bool) {
	for _, e := range t.Events {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attrs {
			if a.Key == key {
				return a.Value, true
			}
		}
	}
	return "", false
}

// submitOpts describe one transaction.
type submitOpts struct {
	key  *ecdsa.PrivateKey
	call types.Call
	// spend is what the call takes from the signer's free balance beside
	// the fee, checked before submitting.
	spend uint64
	// what says in words what the transaction does, for progress lines.
	what string
	// hotkeySigner: a hotkey signs (and pays the fee).
	hotkeySigner bool
}

func pubAddr(k *ecdsa.PrivateKey) types.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// submit signs and submits a call, waits for inclusion unless --no-wait,
// and turns a failed receipt into an error that explains it.
func (g *globals) submit(ctx context.Context, o submitOpts) (txJSON, error) {
	cl, err := g.client()
	if err != nil {
		return txJSON{}, err
	}
	gen, err := g.genesis(ctx)
	if err != nil {
		return txJSON{}, err
	}
	from := crypto.PubkeyToAddress(o.key.PublicKey)
	acc, err := cl.Account(ctx, from, nil)
	if err != nil {
		return txJSON{}, err
	}
	fee := max(g.fee, uint64(gen.Params.MinFee))
	bal := uint64(acc.Balance)
	if fee > bal || o.spend > bal-fee {
		need := "fee " + g.amountText(fee)
		if o.spend > 0 {
			need = g.amountText(o.spend) + " plus the " + need
		}
		hint := "check `yuma wallet balance`"
		if o.hotkeySigner {
			hint = fmt.Sprintf("the hotkey signs and pays the fee: send it some TAO with `yuma wallet transfer --to %s/%s`", g.walletName, g.hotkeyName)
		}
		return txJSON{}, &cliError{Code: "insufficient_balance", Msg: fmt.Sprintf("%s exceeds the free balance %s of %s: nothing was sent (%s)", need, g.amountText(bal), from.Hex(), hint)}
	}
	tx, err := types.NewTx(gen.ChainID, acc.Nonce, fee, o.call)
	if err != nil {
		return txJSON{}, err
	}
	if err := tx.Sign(o.key); err != nil {
		return txJSON{}, err
	}
	raw, err := tx.Encode()
	if err != nil {
		return txJSON{}, err
	}
	hash := tx.Hash().Hex()
	out := txJSON{Hash: hash, Status: "pending", Signer: from.Hex(), Nonce: acc.Nonce, Fee: amountOf(fee), Events: []eventJSON{}}
	req := rpc.SubmitRequest{Tx: hex.EncodeToString(raw), Wait: rpc.WaitInclusion}
	if g.noWait {
		req.Wait = rpc.WaitNone
	} else {
		// Ask the node to give up first, so the answer names the hash.
		ms := int64(120_000)
		if !g.deadline.IsZero() {
			ms = min(ms, max(int64(time.Until(g.deadline)/time.Millisecond)-500, 1000))
		}
		req.TimeoutMs = ms
	}
	var sp *spinner
	if !g.noWait {
		sp = g.startSpinner(fmt.Sprintf("%s: submitted %s, waiting for inclusion", o.what, hash))
	}
	res, err := cl.Submit(ctx, req)
	if sp != nil {
		sp.Stop()
	}
	if err != nil {
		var re *rpc.Error
		if errors.As(err, &re) && re.Code == rpc.CodeTimeout {
			return out, &cliError{Code: "timeout", TxHash: hash, Msg: fmt.Sprintf("transaction %s was not included in time; it may still land: check `yuma chain tx %s`", hash, hash)}
		}
		return out, err
	}
	if res.Receipt == nil {
		return out, nil
	}
	rc := res.Receipt
	out.Status, out.Height, out.OK, out.Events = "included", res.Height, rc.OK(), eventsOf(rc.Events)
	if !rc.OK() {
		return out, g.txError(rc.Code, rc.Msg, rc.RetryAt, hash, "transaction failed")
	}
	return out, nil
}

// printTx is the human tail of a transaction command.
func (g *globals) printTx(w io.Writer, t txJSON) {
	if t.Status == "pending" {
		fmt.Fprintf(w, "submitted %s (not waiting: check `yuma chain tx %s`)\n", t.Hash, t.Hash)
		return
	}
	fmt.Fprintf(w, "included in block %d: tx %s (fee %s)\n", t.Height, t.Hash, g.amountText(mustRao(t.Fee)))
}

func mustRao(a amountJSON) uint64 {
	v, _ := strconv.ParseUint(a.Rao, 10, 64)
	return v
}

// noArgsHint is cobra.NoArgs with a message that says what to do.
func noArgsHint(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("%s takes no arguments, got %q: see `%s --help`", cmd.CommandPath(), strings.Join(args, " "), cmd.CommandPath())}
	}
	return nil
}
