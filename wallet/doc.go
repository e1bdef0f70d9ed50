// Package wallet keeps yuma keys on disk: one folder per wallet holding an
// encrypted coldkey (the account that owns funds and stake) and any number
// of hotkeys (the keys that miners and validators sign with every day).
//
// Ring 3 (shell): it reads and writes files, reads passwords from file
// descriptors, files, the environment or a terminal. It never logs.
//
// # Layout
//
// Wallets live under a root directory, by default $YUMA_HOME/wallets, else
// ~/.yuma/wallets (see DefaultRoot):
//
//	<root>/<wallet>/coldkey                  keystore v3 JSON (always encrypted)
//	<root>/<wallet>/coldkeypub.json          {"address", "public_key"}
//	<root>/<wallet>/hotkeys/<hotkey>         keystore v3 JSON, or plain (see below)
//	<root>/<wallet>/hotkeys/<hotkey>pub.json {"address", "public_key"}
//
// Folders are created with mode 0700 and files with 0600. A keyfile whose
// mode gives any access to group or others (mode & 0077 != 0) is refused when
// loaded, with the chmod that fixes it. Public-key files are not secret and
// are not checked, so a machine may hold only coldkeypub.json (watch-only).
//
// Encrypted keyfiles are go-ethereum keystore v3 JSON (scrypt and
// AES-128-CTR with a keccak MAC), so standard Ethereum tools can read them.
// New files use the standard scrypt parameters (N=2^18, p=1: about 256 MB
// and a second of CPU to open); LightKDF (N=2^12, p=6) exists for tests.
// An unencrypted hotkey file is JSON {"version":1,"type":"yuma-plain-key",
// "address":"0x…","private_key":"0x…"}.
//
// # Key derivation
//
// Every key comes from its own BIP-39 English mnemonic of 12, 15, 18, 21 or
// 24 words. The rule, the Ethereum wallet convention, is:
//
//	seed = BIP-39 seed(mnemonic normalized to single spaces, lowercase; passphrase "")
//	key  = BIP-32 derivation of seed along m/44'/60'/0'/0/0 (secp256k1)
//	address = last 20 bytes of keccak256(uncompressed public key)
//
// So a yuma address is the address MetaMask and other Ethereum wallets show
// for the same mnemonic, and regenerating a key from its mnemonic always
// gives the same address.
//
// # Safety
//
// Writes are atomic (temporary file in the same folder, fsync, rename, fsync
// of the folder). Creating a key where one exists fails with ErrKeyExists
// unless the caller asks to overwrite; an overwritten keyfile is kept beside
// the new one as <name>.replaced-<UTC time>, never deleted. Errors name the
// wallet, the file and what to do, and never contain private keys,
// mnemonics or passwords.
package wallet
