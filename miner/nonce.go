package miner

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"slices"
	"sync"

	"github.com/yumachain/yuma/internal/atomicfile"
	"github.com/yumachain/yuma/types"
)

// Nonce file format (DataDir/nonces.log): the 8-byte magic "YNONCE01"
// followed by 32-byte records: caller address (20 bytes), nonce (8 bytes,
// big-endian), CRC-32C of those 28 bytes (4 bytes, big-endian). The file
// is append-only; the last nonce of a caller is the largest in the file.
// A torn or corrupt tail (a crash mid-append) is cut at the last good
// record; a bad magic refuses to open, so replay protection is never
// silently dropped. On open the file is compacted to one record per
// caller (written to a temporary file, fsynced, renamed).
const (
	nonceMagic      = "YNONCE01"
	nonceRecordSize = 32
	// nonceCompactAfter: appended records after which the flusher
	// compacts the file.
	nonceCompactAfter = 1 << 20
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// NonceStore remembers the last nonce accepted from each caller, durably.
// Check reserves a nonce in memory at once (so a concurrent replay is
// refused) and returns a wait that ends when the record is fsynced;
// concurrent Checks share one fsync (group commit).
type NonceStore struct {
	path string

	mu      sync.Mutex
	last    map[types.Address]uint64
	buf     []byte       // records not yet written
	waiters []chan error // one per record in buf
	err     error        // sticky: a failed write disables the store
	closed  bool
	f       *os.File
	appends int

	kick    chan struct{}
	done    chan struct{}
	stopped chan struct{}
	onSync  func(batch int)
}

// OpenNonceStore opens or creates the nonce file at path and starts its
// flusher. onSync, if not nil, is called after every fsync with the number
// of records it covered.
func OpenNonceStore(path string, onSync func(batch int)) (*NonceStore, error) {
	last := map[types.Address]uint64{}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("%w: read %s: %v", ErrNonceStore, path, err)
	default:
		if last, err = decodeNonceLog(b); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrNonceStore, path, err)
		}
	}
	if err := atomicfile.Write(path, encodeNonceLog(last), 0o600); err != nil {
		return nil, fmt.Errorf("%w: compact: %v", ErrNonceStore, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNonceStore, err)
	}
	s := &NonceStore{
		path: path, last: last, f: f, onSync: onSync,
		kick: make(chan struct{}, 1), done: make(chan struct{}), stopped: make(chan struct{}),
	}
	go s.run()
	return s, nil
}

// decodeNonceLog parses a nonce file. It never panics on any input.
func decodeNonceLog(b []byte) (map[types.Address]uint64, error) {
	if len(b) < len(nonceMagic) || string(b[:len(nonceMagic)]) != nonceMagic {
		return nil, errors.New("not a nonce file (bad magic)")
	}
	last := map[types.Address]uint64{}
	for rec := b[len(nonceMagic):]; len(rec) >= nonceRecordSize; rec = rec[nonceRecordSize:] {
		if crc32.Checksum(rec[:28], crcTable) != binary.BigEndian.Uint32(rec[28:32]) {
			break // torn or corrupt tail: everything after is dropped
		}
		addr := types.Address(rec[:20])
		if n := binary.BigEndian.Uint64(rec[20:28]); n > last[addr] {
			last[addr] = n
		}
	}
	return last, nil
}

func appendNonceRecord(b []byte, addr types.Address, nonce uint64) []byte {
	start := len(b)
	b = append(b, addr[:]...)
	b = binary.BigEndian.AppendUint64(b, nonce)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b[start:], crcTable))
}

func encodeNonceLog(last map[types.Address]uint64) []byte {
	addrs := make([]types.Address, 0, len(last))
	for a := range last {
		addrs = append(addrs, a)
	}
	slices.SortFunc(addrs, func(a, b types.Address) int { return bytes.Compare(a[:], b[:]) })
	b := make([]byte, 0, len(nonceMagic)+nonceRecordSize*len(addrs))
	b = append(b, nonceMagic...)
	for _, a := range addrs {
		b = appendNonceRecord(b, a, last[a])
	}
	return b
}

// Check accepts nonce from caller if it is greater than the last one
// accepted, and returns a function that waits until the acceptance is
// durable. It returns ErrReplay for an old nonce, ErrNonceStore after a
// write failure and ErrClosed after Close.
func (s *NonceStore) Check(caller types.Address, nonce uint64) (wait func(context.Context) error, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return nil, ErrClosed
	case s.err != nil:
		return nil, s.err
	case nonce <= s.last[caller]:
		return nil, fmt.Errorf("%w: nonce %d, last accepted %d", ErrReplay, nonce, s.last[caller])
	}
	s.last[caller] = nonce
	s.buf = appendNonceRecord(s.buf, caller, nonce)
	ch := make(chan error, 1)
	s.waiters = append(s.waiters, ch)
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return func(ctx context.Context) error {
		select {
		case err := <-ch:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}, nil
}

// Last is the last nonce accepted from caller (0 if none).
func (s *NonceStore) Last(caller types.Address) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last[caller]
}

func (s *NonceStore) run() {
	defer close(s.stopped)
	for {
		select {
		case <-s.kick:
			s.flush()
		case <-s.done:
			s.flush()
			return
		}
	}
}

// flush writes and fsyncs every pending record, then wakes their waiters.
func (s *NonceStore) flush() {
	s.mu.Lock()
	buf, waiters, err := s.buf, s.waiters, s.err
	s.buf, s.waiters = nil, nil
	s.mu.Unlock()
	if len(waiters) == 0 {
		return
	}
	if err == nil {
		if _, werr := s.f.Write(buf); werr != nil {
			err = fmt.Errorf("%w: append: %v", ErrNonceStore, werr)
		} else if serr := s.f.Sync(); serr != nil {
			err = fmt.Errorf("%w: fsync: %v", ErrNonceStore, serr)
		}
	}
	if err == nil && s.onSync != nil {
		s.onSync(len(waiters))
	}
	s.mu.Lock()
	if err != nil {
		s.err = err
	}
	s.appends += len(waiters)
	compact := err == nil && s.appends > nonceCompactAfter
	s.mu.Unlock()
	for _, w := range waiters {
		w <- err
	}
	if compact {
		s.compact()
	}
}

// compact rewrites the file with one record per caller. Only the flusher
// goroutine writes the file, so nothing is appended meanwhile.
func (s *NonceStore) compact() {
	s.mu.Lock()
	snapshot := encodeNonceLog(s.last)
	s.appends = 0
	s.mu.Unlock()
	err := s.f.Close()
	if err == nil {
		err = atomicfile.Write(s.path, snapshot, 0o600)
	}
	if err == nil {
		s.f, err = os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND, 0o600)
	}
	if err != nil {
		s.mu.Lock()
		s.err = fmt.Errorf("%w: compact: %v", ErrNonceStore, err)
		s.mu.Unlock()
	}
}

// Close flushes pending records and closes the file.
func (s *NonceStore) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.done)
	<-s.stopped
	if err := s.f.Close(); err != nil {
		return fmt.Errorf("%w: close: %v", ErrNonceStore, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
