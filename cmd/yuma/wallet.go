package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/spf13/cobra"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/types"
	"github.com/yumachain/yuma/wallet"
	"golang.org/x/term"
)

func newWalletCmd() *cobra.Command {
	g := &globals{}
	c := &cobra.Command{
		Use:   "wallet",
		Short: "Create, restore and inspect wallets; check balances; transfer TAO",
		Long: `A wallet is a folder under ~/.yuma/wallets (or $YUMA_HOME/wallets, or
--wallet-path) with an encrypted coldkey, which owns TAO and stake, and
hotkeys, which miners and validators sign with. Every key comes from its own
BIP-39 mnemonic (derivation m/44'/60'/0'/0/0, as Ethereum wallets do).

Passwords are asked on the terminal, or read headlessly from --password-fd N,
--password-file FILE, --password-env NAME or YUMA_PASSWORD.

A new key's mnemonic is shown once, on stderr when it is a terminal. Without
a terminal, give --mnemonic-out FILE (written with mode 0600) or
--show-mnemonic (printed on stdout, or as "mnemonic" with --json).`,
		Example: `  yuma wallet create --wallet alice
  yuma wallet list
  yuma wallet balance --wallet alice
  yuma wallet transfer --wallet alice --to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed --amount 1.5
  yuma wallet create --wallet ci --password-file pw.txt --mnemonic-out ci.words --json`,
	}
	addGlobalFlags(c, g)
	c.AddCommand(
		newWalletCreateCmd(g, "create", true, true),
		newWalletCreateCmd(g, "new-coldkey", true, false),
		newWalletCreateCmd(g, "new-hotkey", false, true),
		newWalletRegenCmd(g, false),
		newWalletRegenCmd(g, true),
		newWalletListCmd(g),
		newWalletBalanceCmd(g),
		newWalletOverviewCmd(g),
		newWalletTransferCmd(g),
	)
	return c
}

// keyJSON is one written key in the output of create and regen commands.
type keyJSON struct {
	Role      string `json:"role"`   // "coldkey" or "hotkey"
	Hotkey    string `json:"hotkey"` // the hotkey name, "" for the coldkey
	Address   string `json:"address"`
	PublicKey string `json:"public_key"`
	Encrypted bool   `json:"encrypted"`
	Keyfile   string `json:"keyfile"`
	Replaced  string `json:"replaced"` // backup of an overwritten keyfile, or ""
	Mnemonic  string `json:"mnemonic"` // "" unless --show-mnemonic
}

type keysJSON struct {
	Wallet       string    `json:"wallet"`
	WalletPath   string    `json:"wallet_path"`
	Keys         []keyJSON `json:"keys"`
	MnemonicFile string    `json:"mnemonic_file"` // --mnemonic-out, or ""
}

type newKey struct {
	role      wallet.Role
	encrypt   bool
	mnemonic  string
	created   wallet.Created
	encrypted bool
}

func roleLabel(r wallet.Role) string {
	if r.Hotkey == "" {
		return "coldkey"
	}
	return "hotkey " + r.Hotkey
}

// checkOverwrite asks before replacing existing keys. derived gives the
// address about to be written when known (regeneration). It returns whether
// Create should overwrite.
func (g *globals) checkOverwrite(st *wallet.Store, roles []wallet.Role, derived []types.Address, overwrite bool) (bool, error) {
	for i, r := range roles {
		old, exists, err := st.Existing(r)
		if err != nil {
			return false, err
		}
		if !exists || (derived != nil && old.Address == derived[i] && old.Address != (types.Address{})) {
			continue
		}
		if overwrite {
			return true, nil
		}
		what := "a key"
		if old.Address != (types.Address{}) {
			what = old.Address.Hex()
		}
		if g.yes || !g.stdinTTY() {
			return false, &cliError{Code: "key_exists", Msg: fmt.Sprintf("%s already exists (%s): refusing to replace it; pass --overwrite to replace it (the old keyfile is kept as a backup)", r, what)}
		}
		ok, err := g.ask(fmt.Sprintf("%s already exists (%s). Replace it? The old keyfile is kept as a backup.", r, what))
		if err != nil {
			return false, err
		}
		if !ok {
			return false, &cliError{Code: "aborted", Msg: "aborted: nothing was changed"}
		}
		return true, nil
	}
	return overwrite, nil
}

func newWalletCreateCmd(g *globals, use string, cold, hot bool) *cobra.Command {
	var (
		words                   int
		overwrite, show, encHot bool
		mnemonicOut             string
	)
	short := map[string]string{
		"create":      "Create a wallet: a new coldkey and a hotkey",
		"new-coldkey": "Create a new coldkey in a wallet",
		"new-hotkey":  "Create a new hotkey in a wallet",
	}[use]
	example := map[string]string{
		"create": `  yuma wallet create --wallet alice
  yuma wallet create --wallet ci --password-env CI_PW --mnemonic-out ./ci.mnemonic --json`,
		"new-coldkey": `  yuma wallet new-coldkey --wallet alice --words 24`,
		"new-hotkey": `  yuma wallet new-hotkey --wallet alice --hotkey miner1
  yuma wallet new-hotkey --wallet alice --hotkey validator --encrypt`,
	}[use]
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Long: short + `.

Each new key gets its own BIP-39 mnemonic (derivation m/44'/60'/0'/0/0). The
coldkey is encrypted (keystore v3, scrypt) with the password from the terminal,
--password-fd, --password-file, --password-env or YUMA_PASSWORD; hotkeys are
unencrypted unless asked. The mnemonic is shown once on stderr when it is a
terminal; without one, pass --mnemonic-out FILE or --show-mnemonic, or nothing
is created. An existing key is never replaced without --overwrite (or a yes at
the prompt), and a replaced keyfile is kept as a backup.`,
		Example: example,
		Args:    noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			st, err := g.store()
			if err != nil {
				return err
			}
			var keys []*newKey
			if cold {
				keys = append(keys, &newKey{role: wallet.Coldkey(g.walletName), encrypt: true})
			}
			if hot {
				keys = append(keys, &newKey{role: wallet.Hotkey(g.walletName, g.hotkeyName), encrypt: encHot})
			}
			var roles []wallet.Role
			for _, k := range keys {
				if err := wallet.CheckName("wallet", k.role.Wallet); err != nil {
					return err
				}
				if k.role.Hotkey != "" {
					if err := wallet.CheckName("hotkey", k.role.Hotkey); err != nil {
						return err
					}
				}
				roles = append(roles, k.role)
			}
			ow, err := g.checkOverwrite(st, roles, nil, overwrite)
			if err != nil {
				return err
			}
			tty := wallet.IsTerminal(cmd.ErrOrStderr())
			if !tty && !show && mnemonicOut == "" {
				return &cliError{Code: "no_mnemonic_backup", Msg: "refusing to create a key whose mnemonic nobody would see: stderr is not a terminal; pass --mnemonic-out FILE (written with mode 0600) or --show-mnemonic"}
			}
			var password string
			for _, k := range keys {
				if k.encrypt && password == "" {
					if password, err = g.passwords().New(fmt.Sprintf("New password for %s: ", k.role)); err != nil {
						return err
					}
				}
			}
			for _, k := range keys {
				if k.mnemonic, err = wallet.NewMnemonic(words); err != nil {
					return err
				}
			}
			if mnemonicOut != "" {
				if err := writeMnemonicFile(mnemonicOut, g.walletName, keys); err != nil {
					return err
				}
			}
			for _, k := range keys {
				pw := ""
				if k.encrypt {
					pw = password
				}
				if k.created, err = st.Create(k.role, k.mnemonic, wallet.CreateOptions{Password: pw, Overwrite: ow}); err != nil {
					if mnemonicOut != "" && k == keys[0] {
						os.Remove(mnemonicOut)
					}
					return err
				}
				k.encrypted = pw != ""
			}
			if tty {
				for _, k := range keys {
					showMnemonic(cmd.ErrOrStderr(), k)
				}
			}
			return g.emitKeys(st, keys, show, mnemonicOut)
		}),
	}
	c.Flags().IntVar(&words, "words", 12, "mnemonic length: 12, 15, 18, 21 or 24 words")
	c.Flags().BoolVar(&overwrite, "overwrite", false, "replace existing keys (the old keyfiles are kept as backups)")
	c.Flags().BoolVar(&show, "show-mnemonic", false, "print the mnemonic on stdout (in \"mnemonic\" with --json): only where that output is private")
	c.Flags().StringVar(&mnemonicOut, "mnemonic-out", "", "write the mnemonics to this new file (mode 0600; never replaces a file)")
	if hot {
		name := "encrypt"
		if cold {
			name = "encrypt-hotkey"
		}
		c.Flags().BoolVar(&encHot, name, false, "encrypt the hotkey with a password too (default: hotkeys are unencrypted)")
	}
	return c
}

func showMnemonic(w io.Writer, k *newKey) {
	fmt.Fprintf(w, "\nMnemonic of %s (%s).\nWrite it down and keep it offline: it is shown only now, and it is the only way to restore the key.\n\n    %s\n\n",
		k.role, k.created.Address.Hex(), k.mnemonic)
}

// writeMnemonicFile writes the mnemonics of keys to a new file, one line
// per key labelled "coldkey:" or "hotkey NAME:", which regen-coldkey and
// regen-hotkey read back with --mnemonic-file.
func writeMnemonicFile(path, walletName string, keys []*newKey) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# yuma wallet %q: BIP-39 mnemonics (derivation %s). Keep this file offline.\n", walletName, wallet.DerivationPath)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", roleLabel(k.role), k.mnemonic)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return &cliError{Code: "file_exists", Msg: fmt.Sprintf("--mnemonic-out %s already exists: refusing to replace it; nothing was created", path)}
	}
	if err != nil {
		return fmt.Errorf("--mnemonic-out: %w", err)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("--mnemonic-out: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("--mnemonic-out: %w", err)
	}
	return f.Close()
}

// readMnemonicFor picks the mnemonic of role from text: either the whole
// text, or the line labelled "coldkey:" / "hotkey NAME:" in a file written
// by --mnemonic-out.
func readMnemonicFor(text string, role wallet.Role, source string) (string, error) {
	var plain []string
	labels := map[string]string{}
	var order []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if l, m, ok := strings.Cut(line, ":"); ok {
			labels[strings.TrimSpace(l)] = m
			order = append(order, strings.TrimSpace(l))
			continue
		}
		plain = append(plain, line)
	}
	if len(labels) == 0 {
		return strings.Join(plain, " "), nil
	}
	if m, ok := labels[roleLabel(role)]; ok {
		return m, nil
	}
	return "", &cliError{Code: "bad_mnemonic", Msg: fmt.Sprintf("%s has no line for %s (it has: %s)", source, roleLabel(role), strings.Join(order, ", "))}
}

func (g *globals) emitKeys(st *wallet.Store, keys []*newKey, show bool, mnemonicFile string) error {
	out := keysJSON{Wallet: g.walletName, WalletPath: st.Root, Keys: []keyJSON{}, MnemonicFile: mnemonicFile}
	for _, k := range keys {
		kj := keyJSON{
			Role: "coldkey", Hotkey: k.role.Hotkey, Address: k.created.Address.Hex(),
			PublicKey: "0x" + fmt.Sprintf("%x", []byte(k.created.Compressed)), Encrypted: k.encrypted,
			Keyfile: k.created.KeyPath, Replaced: k.created.Replaced,
		}
		if k.role.Hotkey != "" {
			kj.Role = "hotkey"
		}
		if show {
			kj.Mnemonic = k.mnemonic
		}
		out.Keys = append(out.Keys, kj)
	}
	return g.emit(out, func(w io.Writer) {
		fmt.Fprintf(w, "wallet %q in %s\n", g.walletName, st.WalletDir(g.walletName))
		var rows [][]string
		for _, k := range out.Keys {
			enc := "no"
			if k.Encrypted {
				enc = "yes"
			}
			name := k.Role
			if k.Hotkey != "" {
				name += " " + k.Hotkey
			}
			rows = append(rows, []string{name, k.Address, enc, k.Keyfile})
		}
		printTable(w, []string{"KEY", "ADDRESS", "ENCRYPTED", "KEYFILE"}, rows)
		for _, k := range out.Keys {
			if k.Replaced != "" {
				fmt.Fprintf(w, "the previous keyfile is kept as %s\n", k.Replaced)
			}
		}
		if mnemonicFile != "" {
			fmt.Fprintf(w, "mnemonics written to %s (mode 0600): move it offline\n", mnemonicFile)
		}
		if show {
			for i, k := range keys {
				fmt.Fprintf(w, "mnemonic of %s: %s\n", roleLabel(k.role), out.Keys[i].Mnemonic)
			}
		}
	})
}

func newWalletRegenCmd(g *globals, hot bool) *cobra.Command {
	var (
		mnemonic, mnemonicFile string
		overwrite, enc         bool
	)
	use, short, example := "regen-coldkey", "Restore a wallet's coldkey from its mnemonic", `  yuma wallet regen-coldkey --wallet alice                # asks for the words
  yuma wallet regen-coldkey --wallet alice --mnemonic-file ./alice.mnemonic --password-file pw.txt`
	if hot {
		use, short, example = "regen-hotkey", "Restore a hotkey from its mnemonic", `  yuma wallet regen-hotkey --wallet alice --hotkey miner1 --mnemonic-file ./alice.mnemonic`
	}
	c := &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    short + ".\n\nThe words come from --mnemonic-file (a file written by --mnemonic-out, or one\nwith just the words; - for standard input), --mnemonic (visible in your shell\nhistory and process list), a prompt on a terminal, or standard input.",
		Example: example,
		Args:    noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			st, err := g.store()
			if err != nil {
				return err
			}
			role := wallet.Coldkey(g.walletName)
			if hot {
				role = wallet.Hotkey(g.walletName, g.hotkeyName)
			}
			if err := wallet.CheckName("wallet", role.Wallet); err != nil {
				return err
			}
			if hot {
				if err := wallet.CheckName("hotkey", role.Hotkey); err != nil {
					return err
				}
			}
			m, err := g.readMnemonic(cmd, role, mnemonic, mnemonicFile)
			if err != nil {
				return err
			}
			key, err := wallet.DeriveKey(m)
			if err != nil {
				return err
			}
			addr := crypto.PubkeyToAddress(key.PublicKey)
			ow, err := g.checkOverwrite(st, []wallet.Role{role}, []types.Address{addr}, overwrite)
			if err != nil {
				return err
			}
			pw := ""
			if !hot || enc {
				if pw, err = g.passwords().New(fmt.Sprintf("New password for %s: ", role)); err != nil {
					return err
				}
			}
			created, err := st.Create(role, m, wallet.CreateOptions{Password: pw, Overwrite: ow})
			if err != nil {
				return err
			}
			return g.emitKeys(st, []*newKey{{role: role, created: created, encrypted: pw != "", mnemonic: ""}}, false, "")
		}),
	}
	c.Flags().StringVar(&mnemonic, "mnemonic", "", "the words, quoted (prefer --mnemonic-file: arguments are visible to other users)")
	c.Flags().StringVar(&mnemonicFile, "mnemonic-file", "", "read the words from this file (- for standard input)")
	c.Flags().BoolVar(&overwrite, "overwrite", false, "replace an existing, different key (the old keyfile is kept as a backup)")
	if hot {
		c.Flags().BoolVar(&enc, "encrypt", false, "encrypt the hotkey with a password")
	}
	return c
}

func (g *globals) readMnemonic(cmd *cobra.Command, role wallet.Role, flag, file string) (string, error) {
	switch {
	case flag != "" && file != "":
		return "", &cliError{Code: "invalid_argument", Msg: "give either --mnemonic or --mnemonic-file, not both"}
	case flag != "":
		return flag, nil
	case file == "-":
		b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 1<<16))
		if err != nil {
			return "", err
		}
		return readMnemonicFor(string(b), role, "standard input")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--mnemonic-file: %v", err)}
		}
		return readMnemonicFor(string(b), role, file)
	}
	in := cmd.InOrStdin()
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(cmd.ErrOrStderr(), "Mnemonic of %s (not echoed): ", role)
		var b []byte
		err := g.pausePrompt(func() (err error) { b, err = term.ReadPassword(int(f.Fd())); return err })
		fmt.Fprintln(cmd.ErrOrStderr())
		return string(b), err
	}
	b, err := io.ReadAll(io.LimitReader(bufio.NewReader(in), 1<<16))
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", &cliError{Code: "bad_mnemonic", Msg: "no mnemonic: give --mnemonic-file FILE, or the words on standard input"}
	}
	return readMnemonicFor(string(b), role, "standard input")
}

// ---- list ----

type keyInfoJSON struct {
	Name       string `json:"name"`
	Address    string `json:"address"` // "" when unknown or absent
	HasPrivate bool   `json:"has_private"`
	Encrypted  bool   `json:"encrypted"`
}

type walletInfoJSON struct {
	Name    string        `json:"name"`
	Coldkey keyInfoJSON   `json:"coldkey"` // address "" when the wallet has no coldkey
	Hotkeys []keyInfoJSON `json:"hotkeys"`
}

type walletListJSON struct {
	WalletPath string           `json:"wallet_path"`
	Wallets    []walletInfoJSON `json:"wallets"`
}

func keyInfoOf(k wallet.KeyInfo) keyInfoJSON {
	a := ""
	if k.Address != (types.Address{}) {
		a = k.Address.Hex()
	}
	return keyInfoJSON{Name: k.Name, Address: a, HasPrivate: k.HasPrivate, Encrypted: k.Encrypted}
}

func newWalletListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List wallets and their keys",
		Example: "  yuma wallet list\n  yuma wallet list --wallet-path /srv/wallets --json",
		Args:    noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			st, err := g.store()
			if err != nil {
				return err
			}
			ws, err := st.List()
			if err != nil {
				return err
			}
			out := walletListJSON{WalletPath: st.Root, Wallets: []walletInfoJSON{}}
			for _, w := range ws {
				wj := walletInfoJSON{Name: w.Name, Coldkey: keyInfoJSON{Name: "coldkey"}, Hotkeys: []keyInfoJSON{}}
				if w.Coldkey != nil {
					wj.Coldkey = keyInfoOf(*w.Coldkey)
					wj.Coldkey.Name = "coldkey"
				}
				for _, h := range w.Hotkeys {
					wj.Hotkeys = append(wj.Hotkeys, keyInfoOf(h))
				}
				out.Wallets = append(out.Wallets, wj)
			}
			return g.emit(out, func(w io.Writer) {
				if len(out.Wallets) == 0 {
					fmt.Fprintf(w, "no wallets in %s: create one with `yuma wallet create --wallet NAME`\n", st.Root)
					return
				}
				fmt.Fprintf(w, "wallets in %s\n", st.Root)
				var rows [][]string
				for _, wl := range out.Wallets {
					rows = append(rows, []string{wl.Name, "coldkey", orDash(wl.Coldkey.Address), keyState(wl.Coldkey)})
					for _, h := range wl.Hotkeys {
						rows = append(rows, []string{"", "hotkey " + h.Name, orDash(h.Address), keyState(h)})
					}
				}
				printTable(w, []string{"WALLET", "KEY", "ADDRESS", "STATE"}, rows)
			})
		}),
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func keyState(k keyInfoJSON) string {
	switch {
	case k.Address == "" && !k.HasPrivate:
		return "absent"
	case !k.HasPrivate:
		return "watch-only"
	case k.Encrypted:
		return "encrypted"
	}
	return "unencrypted"
}

// ---- balance ----

type balanceJSON struct {
	Name    string     `json:"name"` // wallet name, or "" for an address argument
	Address string     `json:"address"`
	Free    amountJSON `json:"free"`
	Staked  amountJSON `json:"staked"`
	Total   amountJSON `json:"total"`
}

type balancesJSON struct {
	Height   uint64        `json:"height"`
	Accounts []balanceJSON `json:"accounts"`
	Total    struct {
		Free   amountJSON `json:"free"`
		Staked amountJSON `json:"staked"`
		Total  amountJSON `json:"total"`
	} `json:"total"`
}

func newWalletBalanceCmd(g *globals) *cobra.Command {
	var all bool
	c := &cobra.Command{
		Use:   "balance [ADDRESS|WALLET ...]",
		Short: "Show free and staked TAO of coldkeys",
		Example: `  yuma wallet balance --wallet alice
  yuma wallet balance --all
  yuma wallet balance 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed bob --rao`,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			type target struct {
				name string
				addr types.Address
			}
			var targets []target
			switch {
			case all:
				st, err := g.store()
				if err != nil {
					return err
				}
				ws, err := st.List()
				if err != nil {
					return err
				}
				for _, w := range ws {
					if w.Coldkey != nil && w.Coldkey.Address != (types.Address{}) {
						targets = append(targets, target{w.Name, w.Coldkey.Address})
					}
				}
				if len(targets) == 0 {
					return &cliError{Code: "wallet_not_found", Msg: fmt.Sprintf("no wallets with a coldkey in %s: create one with `yuma wallet create`", st.Root)}
				}
			case len(args) > 0:
				for _, a := range args {
					addr, err := g.resolveAddress(a)
					if err != nil {
						return err
					}
					name := ""
					if !strings.HasPrefix(a, "0x") && !strings.HasPrefix(a, "0X") {
						name = a
					}
					targets = append(targets, target{name, addr})
				}
			default:
				addr, err := g.coldkeyAddress()
				if err != nil {
					return err
				}
				targets = append(targets, target{g.walletName, addr})
			}
			cl, err := g.client()
			if err != nil {
				return err
			}
			head, err := cl.Head(ctx)
			if err != nil {
				return err
			}
			h := head.Height
			out := balancesJSON{Height: h, Accounts: []balanceJSON{}}
			var tf, ts uint64
			noStake := false
			for _, t := range targets {
				acc, err := cl.Account(ctx, t.addr, rpc.Height(&h))
				if err != nil {
					return err
				}
				staked, err := g.coldkeyStake(ctx, t.addr)
				if err == errNoQuery {
					noStake = true
				} else if err != nil {
					return err
				}
				free := uint64(acc.Balance)
				out.Accounts = append(out.Accounts, balanceJSON{Name: t.name, Address: t.addr.Hex(), Free: amountOf(free), Staked: amountOf(staked), Total: amountOf(free + staked)})
				tf += free
				ts += staked
			}
			out.Total.Free, out.Total.Staked, out.Total.Total = amountOf(tf), amountOf(ts), amountOf(tf+ts)
			if noStake {
				fmt.Fprintln(cmd.ErrOrStderr(), "note: the node does not serve stake queries; staked amounts show as 0")
			}
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "balances at block %d\n", h)
				var rows [][]string
				for _, a := range out.Accounts {
					rows = append(rows, []string{orDash(a.Name), a.Address, g.amountText(mustRao(a.Free)), g.amountText(mustRao(a.Staked)), g.amountText(mustRao(a.Total))})
				}
				if len(out.Accounts) > 1 {
					rows = append(rows, []string{"TOTAL", "", g.amountText(tf), g.amountText(ts), g.amountText(tf + ts)})
				}
				printTable(w, []string{"WALLET", "COLDKEY", "FREE", "STAKED", "TOTAL"}, rows)
			})
		}),
	}
	c.Flags().BoolVar(&all, "all", false, "every wallet in the wallets folder")
	return c
}

// ---- transfer ----

type transferJSON struct {
	From   string     `json:"from"`
	To     string     `json:"to"`
	Amount amountJSON `json:"amount"`
	Tx     txJSON     `json:"tx"`
}

func newWalletTransferCmd(g *globals) *cobra.Command {
	var to, amount string
	c := &cobra.Command{
		Use:   "transfer",
		Short: "Send TAO from the wallet's coldkey",
		Example: `  yuma wallet transfer --wallet alice --to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed --amount 1.5
  yuma wallet transfer --wallet alice --to bob --amount 2500rao --yes --password-file pw.txt`,
		Args: noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			if to == "" {
				return &cliError{Code: "invalid_argument", Msg: "--to is required: an address (0x…) or a wallet name"}
			}
			dest, err := g.resolveAddress(to)
			if err != nil {
				return err
			}
			amt, err := parseAmount("amount", amount)
			if err != nil {
				return err
			}
			from, err := g.coldkeyAddress()
			if err != nil {
				return err
			}
			if from == dest {
				return &cliError{Code: "self_transfer", Msg: fmt.Sprintf("--to %s is the sender itself: nothing to do", dest.Hex())}
			}
			ok, err := g.confirm(fmt.Sprintf("Transfer %s from wallet %q (%s) to %s?", g.amountText(amt), g.walletName, from.Hex(), dest.Hex()))
			if err != nil || !ok {
				return abortedOr(err)
			}
			key, err := g.coldkey()
			if err != nil {
				return err
			}
			tx, err := g.submit(ctx, submitOpts{key: key, call: &types.Transfer{To: dest, Amount: amt}, spend: amt, what: "transfer"})
			if err != nil {
				return err
			}
			out := transferJSON{From: from.Hex(), To: dest.Hex(), Amount: amountOf(amt), Tx: tx}
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "transfer of %s from %s to %s\n", g.amountText(amt), out.From, out.To)
				g.printTx(w, tx)
			})
		}),
	}
	c.Flags().StringVar(&to, "to", "", "recipient: an address (0x…, EIP-55 checked), a wallet name or WALLET/HOTKEY")
	c.Flags().StringVar(&amount, "amount", "", "amount in TAO (1.5) or rao (1500rao)")
	return c
}

func abortedOr(err error) error {
	if err != nil {
		return err
	}
	return &cliError{Code: "aborted", Msg: "aborted: nothing was sent"}
}

// ---- overview ----

type overviewHotkeyJSON struct {
	Name          string             `json:"name"`
	Address       string             `json:"address"`
	Stake         amountJSON         `json:"stake"` // this coldkey's stake behind the hotkey
	Registrations []registrationJSON `json:"registrations"`
}

type overviewJSON struct {
	Wallet  string               `json:"wallet"`
	Coldkey string               `json:"coldkey"`
	Height  uint64               `json:"height"`
	Free    amountJSON           `json:"free"`
	Staked  amountJSON           `json:"staked"`
	Total   amountJSON           `json:"total"`
	Hotkeys []overviewHotkeyJSON `json:"hotkeys"`
}

func newWalletOverviewCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "overview",
		Short:   "Show a wallet: balance, stake, and where each hotkey is registered",
		Example: "  yuma wallet overview --wallet alice\n  yuma wallet overview --wallet alice --json",
		Args:    noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			st, err := g.store()
			if err != nil {
				return err
			}
			info, err := st.Describe(g.walletName)
			if err != nil {
				return err
			}
			cl, err := g.client()
			if err != nil {
				return err
			}
			head, err := cl.Head(ctx)
			if err != nil {
				return err
			}
			h := head.Height
			out := overviewJSON{Wallet: g.walletName, Height: h, Hotkeys: []overviewHotkeyJSON{}}
			var free, staked uint64
			var cold types.Address
			if info.Coldkey != nil && info.Coldkey.Address != (types.Address{}) {
				cold = info.Coldkey.Address
				out.Coldkey = cold.Hex()
				acc, err := cl.Account(ctx, cold, rpc.Height(&h))
				if err != nil {
					return err
				}
				free = uint64(acc.Balance)
			}
			for _, hk := range info.Hotkeys {
				if hk.Address == (types.Address{}) {
					continue
				}
				hj := overviewHotkeyJSON{Name: hk.Name, Address: hk.Address.Hex(), Stake: amountOf(0), Registrations: []registrationJSON{}}
				if cold != (types.Address{}) {
					s, err := g.stakeBehind(ctx, cold, hk.Address)
					if err != nil && err != errNoQuery {
						return err
					}
					hj.Stake = amountOf(s)
				}
				regs, err := g.registrations(ctx, hk.Address)
				if err != nil && err != errNoQuery {
					return err
				}
				if err == nil {
					hj.Registrations = regs
				}
				out.Hotkeys = append(out.Hotkeys, hj)
			}
			if cold != (types.Address{}) {
				if staked, err = g.coldkeyStake(ctx, cold); err != nil && err != errNoQuery {
					return err
				}
			}
			out.Free, out.Staked, out.Total = amountOf(free), amountOf(staked), amountOf(free+staked)
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "wallet %q at block %d\n", out.Wallet, h)
				fmt.Fprintf(w, "  coldkey %s\n  free %s  staked %s  total %s\n\n", orDash(out.Coldkey), g.amountText(free), g.amountText(staked), g.amountText(free+staked))
				var rows [][]string
				for _, hk := range out.Hotkeys {
					if len(hk.Registrations) == 0 {
						rows = append(rows, []string{hk.Name, hk.Address, g.amountText(mustRao(hk.Stake)), "-", "-", "-", "-", "-"})
					}
					for _, r := range hk.Registrations {
						rows = append(rows, []string{hk.Name, hk.Address, g.amountText(mustRao(hk.Stake)), strconv.Itoa(int(r.NetUID)), strconv.Itoa(int(r.UID)),
							u16Fraction(r.Incentive), u16Fraction(r.Dividends), orDash(r.Axon)})
					}
				}
				if len(rows) == 0 {
					fmt.Fprintf(w, "no hotkeys: create one with `yuma wallet new-hotkey --wallet %s --hotkey NAME`\n", out.Wallet)
					return
				}
				printTable(w, []string{"HOTKEY", "ADDRESS", "STAKE", "NETUID", "UID", "INCENTIVE", "DIVIDENDS", "AXON"}, rows)
			})
		}),
	}
}
