package state

import (
	"bytes"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethdb/memorydb"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/yumachain/yuma/storage"
	"github.com/yumachain/yuma/types"
)

// Reader reads the state at one committed root from the trie. It is safe
// to use while the node commits new blocks (trie nodes are immutable).
type Reader struct {
	t *trie.Trie
}

// NewReader opens the state at root for reading.
func NewReader(db storage.Reader, root types.Hash) (*Reader, error) {
	t, err := openTrie(root, &nodeDB{db: db})
	if err != nil {
		return nil, err
	}
	return &Reader{t: t}, nil
}

// Get returns the value of key at the reader's root.
func (r *Reader) Get(key []byte) ([]byte, bool, error) {
	leaf, err := r.t.Get(key)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrMissingState, err)
	}
	if len(leaf) == 0 {
		return nil, false, nil
	}
	return bytes.Clone(leaf[1:]), true, nil
}

// Iterate visits the keys with prefix in ascending order.
func (r *Reader) Iterate(prefix []byte, fn func(key, value []byte) bool) error {
	nit, err := r.t.NodeIteratorWithPrefix(prefix)
	if err != nil {
		return err
	}
	it := trie.NewIterator(nit)
	for it.Next() {
		if !bytes.HasPrefix(it.Key, prefix) {
			break
		}
		if !fn(bytes.Clone(it.Key), bytes.Clone(it.Value[1:])) {
			return nil
		}
	}
	if it.Err != nil {
		return fmt.Errorf("%w: %v", ErrMissingState, it.Err)
	}
	return nil
}

// Proof is a Merkle proof of one key's value (or absence) at a root: the
// trie nodes on the path from the root to the key.
type Proof struct {
	Root  types.Hash `json:"root"`
	Key   []byte     `json:"key"`
	Nodes [][]byte   `json:"nodes"`
}

// Prove returns a proof of key's value at the reader's root.
func (r *Reader) Prove(key []byte) (*Proof, error) {
	db := memorydb.New()
	if err := r.t.Prove(key, db); err != nil {
		return nil, fmt.Errorf("state: prove %q: %w", key, err)
	}
	p := &Proof{Root: types.Hash(r.t.Hash()), Key: bytes.Clone(key)}
	it := db.NewIterator(nil, nil)
	defer it.Release()
	for it.Next() {
		p.Nodes = append(p.Nodes, bytes.Clone(it.Value()))
	}
	return p, nil
}

// VerifyProof checks p against root and returns the proven value; ok is
// false when the proof shows the key is absent. A proof that does not
// match root is an error.
func VerifyProof(root types.Hash, p *Proof) (value []byte, ok bool, err error) {
	db := memorydb.New()
	for _, n := range p.Nodes {
		h := common.BytesToHash(keccak(n))
		if err := db.Put(h[:], n); err != nil {
			return nil, false, err
		}
	}
	leaf, err := trie.VerifyProof(common.Hash(root), p.Key, db)
	if err != nil {
		return nil, false, fmt.Errorf("state: proof does not verify: %w", err)
	}
	if len(leaf) == 0 {
		return nil, false, nil
	}
	if leaf[0] != leafPrefix {
		return nil, false, fmt.Errorf("state: proof leaf has unknown encoding %#x", leaf[0])
	}
	return leaf[1:], true, nil
}

func keccak(b []byte) []byte { return crypto.Keccak256(b) }
