package storage

// Key schema. Every key prefix the node writes is defined here, so two parts
// of the code never collide and the layout of a database can be read in one
// place. Prefixes are single bytes followed by a '/' for readability in
// dumps.
var (
	// PrefixState holds the flat current state: PrefixState + state key ->
	// value. The same pairs are committed to the state trie.
	PrefixState = []byte("s/")
	// PrefixTrieNode holds state trie nodes by hash: PrefixTrieNode + hash ->
	// RLP node. Nodes are never deleted, so the state at any stored root can
	// be read and proven.
	PrefixTrieNode = []byte("t/")
	// PrefixBlock holds per-height block records: PrefixBlock + be64(height)
	// -> encoded block record (header fields, transactions, receipts, state
	// root).
	PrefixBlock = []byte("b/")
	// PrefixTxIndex maps a transaction hash to its location:
	// PrefixTxIndex + hash -> be64(height) + be32(index).
	PrefixTxIndex = []byte("x/")
	// KeyHead is the head marker: the height and state root of the last
	// committed block. It is written in the same batch as the block.
	KeyHead = []byte("m/head")
	// PrefixMeta holds other node metadata (schema version, chain id).
	PrefixMeta = []byte("m/")
)

// Key returns prefix+suffix as a fresh slice.
func Key(prefix []byte, suffix ...[]byte) []byte {
	n := len(prefix)
	for _, s := range suffix {
		n += len(s)
	}
	k := make([]byte, 0, n)
	k = append(k, prefix...)
	for _, s := range suffix {
		k = append(k, s...)
	}
	return k
}
