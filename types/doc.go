// Package types holds the values that are hashed, signed, stored or
// gossiped: addresses, transactions and their canonical encoding.
//
// Ring 1-2. The canonical encoding is RLP (go-ethereum's rlp package); golden
// vectors in testdata/ pin it. Signatures are 65-byte recoverable secp256k1
// signatures over keccak256 of the canonical encoding of the signed payload,
// which always carries the chain id and the signer's nonce.
package types
