package wallet

import (
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/yumachain/yuma/internal/atomicfile"
	"github.com/yumachain/yuma/types"
)

// File and folder names inside a wallet.
const (
	ColdkeyFile    = "coldkey"
	ColdkeyPubFile = "coldkeypub.json"
	HotkeysDir     = "hotkeys"
	pubSuffix      = "pub.json"
	// DefaultHotkey is the hotkey created with a new wallet.
	DefaultHotkey = "default"
)

const (
	dirMode  fs.FileMode = 0o700
	fileMode fs.FileMode = 0o600
)

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// CheckName reports whether name can name a wallet or a hotkey.
func CheckName(kind, name string) error {
	if !nameRE.MatchString(name) {
		return newError(ErrBadName, fmt.Sprintf("invalid %s name %q: use 1 to 64 letters, digits, '-' or '_', starting with a letter or digit", kind, name))
	}
	return nil
}

// DefaultRoot is the wallets folder: $YUMA_HOME/wallets if YUMA_HOME is set,
// else ~/.yuma/wallets. getenv is os.Getenv unless a test supplies one.
func DefaultRoot(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if h := getenv("YUMA_HOME"); h != "" {
		return filepath.Join(h, "wallets"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("wallet: no home folder (%v): set YUMA_HOME or pass --wallet-path", err)
	}
	return filepath.Join(home, ".yuma", "wallets"), nil
}

// Store is a folder of wallets.
type Store struct {
	// Root holds one folder per wallet.
	Root string
	// KDF is used for new encrypted keyfiles; zero means StandardKDF.
	KDF KDF
	// Now names the backups of replaced keyfiles; nil means time.Now.
	Now func() time.Time
}

// Open returns the store rooted at root. It does not touch the disk.
func Open(root string) *Store { return &Store{Root: root} }

func (s *Store) kdf() KDF {
	if s.KDF.N == 0 {
		return StandardKDF
	}
	return s.KDF
}

// Role says which key of a wallet a path or message is about.
type Role struct {
	Wallet string
	Hotkey string // empty for the coldkey
}

func (r Role) String() string {
	if r.Hotkey == "" {
		return fmt.Sprintf("the coldkey of wallet %q", r.Wallet)
	}
	return fmt.Sprintf("hotkey %q of wallet %q", r.Hotkey, r.Wallet)
}

func (r Role) check() error {
	if err := CheckName("wallet", r.Wallet); err != nil {
		return err
	}
	if r.Hotkey != "" {
		return CheckName("hotkey", r.Hotkey)
	}
	return nil
}

// Coldkey names the coldkey of wallet.
func Coldkey(wallet string) Role { return Role{Wallet: wallet} }

// Hotkey names a hotkey of wallet.
func Hotkey(wallet, hotkey string) Role { return Role{Wallet: wallet, Hotkey: hotkey} }

// WalletDir is the folder of a wallet.
func (s *Store) WalletDir(wallet string) string { return filepath.Join(s.Root, wallet) }

// KeyPath is the keyfile of r.
func (s *Store) KeyPath(r Role) string {
	if r.Hotkey == "" {
		return filepath.Join(s.WalletDir(r.Wallet), ColdkeyFile)
	}
	return filepath.Join(s.WalletDir(r.Wallet), HotkeysDir, r.Hotkey)
}

// PubPath is the public-key file of r.
func (s *Store) PubPath(r Role) string {
	if r.Hotkey == "" {
		return filepath.Join(s.WalletDir(r.Wallet), ColdkeyPubFile)
	}
	return filepath.Join(s.WalletDir(r.Wallet), HotkeysDir, r.Hotkey+pubSuffix)
}

// Exists reports whether the wallet's folder exists.
func (s *Store) Exists(wallet string) (bool, error) {
	if err := CheckName("wallet", wallet); err != nil {
		return false, err
	}
	fi, err := os.Stat(s.WalletDir(wallet))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("wallet %q: %w", wallet, err)
	case !fi.IsDir():
		return false, fmt.Errorf("wallet %q: %s is not a folder", wallet, s.WalletDir(wallet))
	}
	return true, nil
}

func (s *Store) requireWallet(wallet string) error {
	ok, err := s.Exists(wallet)
	if err != nil {
		return err
	}
	if !ok {
		return newError(ErrWalletNotFound, fmt.Sprintf("wallet %q not found in %s: create it with `yuma wallet create --wallet %s`, or see `yuma wallet list` (wallets folder: --wallet-path or YUMA_HOME)", wallet, s.Root, wallet))
	}
	return nil
}

// Public reads r's public-key file. A wallet without one returns
// ErrKeyNotFound.
func (s *Store) Public(r Role) (PublicKey, error) {
	if err := r.check(); err != nil {
		return PublicKey{}, err
	}
	if err := s.requireWallet(r.Wallet); err != nil {
		return PublicKey{}, err
	}
	path := s.PubPath(r)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if _, kerr := os.Stat(s.KeyPath(r)); kerr == nil {
			// A keyfile without its public file: the keystore header names
			// the address; a plain file holds the key itself.
			return s.publicFromKeyfile(r)
		}
		return PublicKey{}, s.notFound(r)
	}
	if err != nil {
		return PublicKey{}, fmt.Errorf("read %s: %w", path, err)
	}
	var p PublicKey
	if err := json.Unmarshal(b, &p); err != nil || p.Address == (types.Address{}) {
		return PublicKey{}, fmt.Errorf("public-key file %s of %s is corrupt: delete it and run `yuma wallet %s` to rewrite it from the mnemonic", path, r, regenCmd(r))
	}
	return p, nil
}

func (s *Store) publicFromKeyfile(r Role) (PublicKey, error) {
	b, err := s.readKeyfile(r)
	if err != nil {
		return PublicKey{}, err
	}
	h, err := inspectKeyfile(b, s.describe(r))
	if err != nil {
		return PublicKey{}, err
	}
	if !h.Encrypted {
		key, err := decodeKeyfile(b, s.describe(r), nil)
		if err != nil {
			return PublicKey{}, err
		}
		return PublicOf(key), nil
	}
	return PublicKey{Address: h.Address}, nil
}

func regenCmd(r Role) string {
	if r.Hotkey == "" {
		return fmt.Sprintf("regen-coldkey --wallet %s", r.Wallet)
	}
	return fmt.Sprintf("regen-hotkey --wallet %s --hotkey %s", r.Wallet, r.Hotkey)
}

func (s *Store) notFound(r Role) error {
	if r.Hotkey == "" {
		return newError(ErrKeyNotFound, fmt.Sprintf("wallet %q has no coldkey in %s: create one with `yuma wallet new-coldkey --wallet %s`, or restore it with `yuma wallet regen-coldkey --wallet %s`", r.Wallet, s.WalletDir(r.Wallet), r.Wallet, r.Wallet))
	}
	return newError(ErrKeyNotFound, fmt.Sprintf("wallet %q has no hotkey %q in %s: create it with `yuma wallet new-hotkey --wallet %s --hotkey %s`, or see `yuma wallet list`", r.Wallet, r.Hotkey, filepath.Join(s.WalletDir(r.Wallet), HotkeysDir), r.Wallet, r.Hotkey))
}

func (s *Store) describe(r Role) string { return fmt.Sprintf("keyfile %s (%s)", s.KeyPath(r), r) }

// readKeyfile reads r's keyfile after checking that it exists and that only
// its owner can access it.
func (s *Store) readKeyfile(r Role) ([]byte, error) {
	path := s.KeyPath(r)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		if _, perr := os.Stat(s.PubPath(r)); perr == nil {
			return nil, newError(ErrKeyNotFound, fmt.Sprintf("%s is watch-only here: %s exists but the keyfile %s does not; sign on the machine that holds the key, or restore it with `yuma wallet %s`", r, s.PubPath(r), path, regenCmd(r)))
		}
		return nil, s.notFound(r)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.describe(r), err)
	}
	if !fi.Mode().IsRegular() {
		return nil, corrupt(s.describe(r), "it is not a regular file")
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, newError(ErrLoosePermissions, fmt.Sprintf("keyfile %s has mode %04o, so other users may read or change it: run `chmod 600 %s` (and `chmod 700 %s`), then retry", path, perm, path, filepath.Dir(path)))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.describe(r), err)
	}
	if len(b) == 0 {
		return nil, corrupt(s.describe(r), "it is empty")
	}
	return b, nil
}

// IsEncrypted reports whether r's keyfile needs a password.
func (s *Store) IsEncrypted(r Role) (bool, error) {
	if err := r.check(); err != nil {
		return false, err
	}
	if err := s.requireWallet(r.Wallet); err != nil {
		return false, err
	}
	b, err := s.readKeyfile(r)
	if err != nil {
		return false, err
	}
	h, err := inspectKeyfile(b, s.describe(r))
	return h.Encrypted, err
}

// PasswordFunc returns the password for a key; it is called only when the
// keyfile is encrypted. prompt describes the key for an interactive prompt.
type PasswordFunc func(prompt string) (string, error)

// Load opens r's keyfile and returns its private key. password is asked only
// if the file is encrypted. The key must match the public-key file when
// there is one.
func (s *Store) Load(r Role, password PasswordFunc) (*ecdsa.PrivateKey, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if err := s.requireWallet(r.Wallet); err != nil {
		return nil, err
	}
	b, err := s.readKeyfile(r)
	if err != nil {
		return nil, err
	}
	key, err := decodeKeyfile(b, s.describe(r), func() (string, error) {
		if password == nil {
			return "", newError(ErrNoPassword, fmt.Sprintf("%s is encrypted and no password was given", r))
		}
		return password(fmt.Sprintf("Password for %s: ", r))
	})
	if err != nil {
		return nil, err
	}
	if pb, err := os.ReadFile(s.PubPath(r)); err == nil {
		var p PublicKey
		if json.Unmarshal(pb, &p) == nil && p.Address != crypto.PubkeyToAddress(key.PublicKey) {
			return nil, newError(ErrKeyMismatch, fmt.Sprintf("%s holds the key of %s but %s says %s: one of them was replaced; restore both from a backup or regenerate with `yuma wallet %s`",
				s.KeyPath(r), crypto.PubkeyToAddress(key.PublicKey).Hex(), s.PubPath(r), p.Address.Hex(), regenCmd(r)))
		}
	}
	return key, nil
}

// CreateOptions say how a key is written.
type CreateOptions struct {
	// Password encrypts the keyfile. It is required for coldkeys; an empty
	// password writes a hotkey unencrypted.
	Password string
	// Overwrite replaces an existing key of the same role. The old keyfile
	// is kept as <name>.replaced-<UTC time>.
	Overwrite bool
}

// Created reports a written key.
type Created struct {
	PublicKey
	KeyPath, PubPath string
	// Replaced is the backup of the keyfile that was overwritten, if any.
	Replaced string
}

// Create writes the key derived from mnemonic as r's key. It refuses to
// replace an existing key of another address (or one it cannot read) unless
// opts.Overwrite; writing the same key again (a regeneration) is allowed.
// A replaced keyfile is always kept as a backup, named in Created.Replaced.
func (s *Store) Create(r Role, mnemonic string, opts CreateOptions) (Created, error) {
	if err := r.check(); err != nil {
		return Created{}, err
	}
	if r.Hotkey == "" && opts.Password == "" {
		return Created{}, newError(ErrEmptyPassword, "a coldkey must be encrypted: give a non-empty password")
	}
	key, err := DeriveKey(mnemonic)
	if err != nil {
		return Created{}, err
	}
	return s.write(r, key, opts)
}

// Existing returns the public key r has now, if any: from its public-key
// file, else what the keyfile reveals without a password.
func (s *Store) Existing(r Role) (PublicKey, bool, error) {
	if err := r.check(); err != nil {
		return PublicKey{}, false, err
	}
	_, kerr := os.Stat(s.KeyPath(r))
	_, perr := os.Stat(s.PubPath(r))
	if errors.Is(kerr, fs.ErrNotExist) && errors.Is(perr, fs.ErrNotExist) {
		return PublicKey{}, false, nil
	}
	if b, err := os.ReadFile(s.PubPath(r)); err == nil {
		var p PublicKey
		if json.Unmarshal(b, &p) == nil && p.Address != (types.Address{}) {
			return p, true, nil
		}
	}
	if b, err := os.ReadFile(s.KeyPath(r)); err == nil {
		if h, err := inspectKeyfile(b, s.describe(r)); err == nil {
			return PublicKey{Address: h.Address}, true, nil
		}
	}
	// Something is there but unreadable: it still counts, so it is never
	// silently replaced.
	return PublicKey{}, true, nil
}

func (s *Store) write(r Role, key *ecdsa.PrivateKey, opts CreateOptions) (Created, error) {
	pub := PublicOf(key)
	out := Created{PublicKey: pub, KeyPath: s.KeyPath(r), PubPath: s.PubPath(r)}
	// What is there now: the keyfile's own address and the public-key
	// file's. Anything unreadable counts as a different key, so it is never
	// replaced silently.
	var conflict types.Address
	conflicting := false
	keyBytes, keyErr := os.ReadFile(out.KeyPath)
	keyExists := !errors.Is(keyErr, fs.ErrNotExist)
	if keyExists {
		h, err := inspectKeyfile(keyBytes, "")
		if keyErr != nil || err != nil || h.Address != pub.Address {
			conflicting, conflict = true, h.Address
		}
	}
	if pb, err := os.ReadFile(out.PubPath); !errors.Is(err, fs.ErrNotExist) && !conflicting {
		var p PublicKey
		if err != nil || json.Unmarshal(pb, &p) != nil || p.Address != pub.Address {
			conflicting, conflict = true, p.Address
		}
	}
	if conflicting && !opts.Overwrite {
		what := "a key that cannot be read"
		if conflict != (types.Address{}) {
			what = conflict.Hex()
		}
		return Created{}, newError(ErrKeyExists, fmt.Sprintf("%s already exists (%s, in %s): refusing to replace it; pass --overwrite to replace it (the old keyfile is kept as a backup)", r, what, filepath.Dir(out.KeyPath)))
	}
	if err := os.MkdirAll(filepath.Dir(out.KeyPath), dirMode); err != nil {
		return Created{}, fmt.Errorf("create %s: %w", filepath.Dir(out.KeyPath), err)
	}
	// MkdirAll leaves existing folders alone; make ours private.
	for _, d := range []string{s.WalletDir(r.Wallet), filepath.Dir(out.KeyPath)} {
		if err := os.Chmod(d, dirMode); err != nil {
			return Created{}, err
		}
	}
	b, err := encodeKeyfile(key, opts.Password, s.kdf())
	if err != nil {
		return Created{}, err
	}
	if keyExists {
		// Every replaced keyfile is kept, even when it holds the same key
		// (it may have another password, or a lying header).
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		backup := out.KeyPath + ".replaced-" + now().UTC().Format("20060102T150405.000000000Z")
		if err := os.Link(out.KeyPath, backup); err != nil {
			return Created{}, fmt.Errorf("back up %s before replacing it: %w (nothing was changed)", out.KeyPath, err)
		}
		out.Replaced = backup
	}
	if err := writeAtomic(out.KeyPath, b, keyExists); err != nil {
		return Created{}, err
	}
	pb, err := json.MarshalIndent(pub, "", "  ")
	if err != nil {
		return Created{}, err
	}
	if err := writeAtomic(out.PubPath, append(pb, '\n'), true); err != nil {
		return Created{}, err
	}
	return out, nil
}

// writeAtomic writes b to path with mode 0600 through a temporary file in
// the same folder (atomicfile). Without replace, an existing path is never
// replaced: ErrKeyExists if it appeared meanwhile.
func writeAtomic(path string, b []byte, replace bool) error {
	if replace {
		return atomicfile.Write(path, b, fileMode)
	}
	err := atomicfile.Create(path, b, fileMode)
	if errors.Is(err, fs.ErrExist) {
		return newError(ErrKeyExists, fmt.Sprintf("%s appeared while it was being written: refusing to replace it", path))
	}
	return err
}

// KeyInfo describes one key of a wallet, without opening it.
type KeyInfo struct {
	Name string // hotkey name, or "" for the coldkey
	// Address is zero when neither the public-key file nor the keyfile says.
	Address types.Address
	// HasPrivate is false for a watch-only key (public-key file only).
	HasPrivate bool
	Encrypted  bool
}

// Info describes a wallet.
type Info struct {
	Name    string
	Coldkey *KeyInfo // nil when the wallet has no coldkey at all
	Hotkeys []KeyInfo
}

// List describes every wallet under the root, by name. A missing root is an
// empty list.
func (s *Store) List() ([]Info, error) {
	ents, err := os.ReadDir(s.Root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list wallets in %s: %w", s.Root, err)
	}
	var out []Info
	for _, e := range ents {
		if !e.IsDir() || CheckName("wallet", e.Name()) != nil {
			continue
		}
		in, err := s.Describe(e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

// Describe describes one wallet.
func (s *Store) Describe(wallet string) (Info, error) {
	if err := s.requireWallet(wallet); err != nil {
		return Info{}, err
	}
	in := Info{Name: wallet}
	if k, ok := s.keyInfo(Coldkey(wallet)); ok {
		in.Coldkey = &k
	}
	names, err := s.HotkeyNames(wallet)
	if err != nil {
		return Info{}, err
	}
	for _, h := range names {
		if k, ok := s.keyInfo(Hotkey(wallet, h)); ok {
			in.Hotkeys = append(in.Hotkeys, k)
		}
	}
	return in, nil
}

// HotkeyNames lists a wallet's hotkeys (with a keyfile or a public-key
// file), sorted.
func (s *Store) HotkeyNames(wallet string) ([]string, error) {
	if err := s.requireWallet(wallet); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(filepath.Join(s.WalletDir(wallet), HotkeysDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, e := range ents {
		n := strings.TrimSuffix(e.Name(), pubSuffix)
		if e.IsDir() || CheckName("hotkey", n) != nil {
			continue
		}
		seen[n] = true
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

func (s *Store) keyInfo(r Role) (KeyInfo, bool) {
	k := KeyInfo{Name: r.Hotkey}
	if pub, ok, _ := s.Existing(r); ok {
		k.Address = pub.Address
	} else {
		return k, false
	}
	if b, err := os.ReadFile(s.KeyPath(r)); err == nil {
		k.HasPrivate = true
		if h, err := inspectKeyfile(b, ""); err == nil {
			k.Encrypted = h.Encrypted
		}
	}
	return k, true
}
