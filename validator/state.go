package validator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"

	"github.com/yumachain/yuma/internal/atomicfile"
	"github.com/yumachain/yuma/types"
)

// Files under DataDir. Both are JSON, written with write-temp, fsync,
// rename, fsync-directory, so a crash leaves the old or the new file,
// never a torn one.
const (
	scoresFile  = "scores.json"
	weightsFile = "weights.json"
	stateVer    = 1
	// maxStateBytes bounds a state file read at start-up.
	maxStateBytes = 16 << 20
)

// ScoreEntry is the moving average of one UID. Hotkey is the UID's owner
// when it was scored: a UID taken over by another hotkey starts afresh.
type ScoreEntry struct {
	UID     uint16        `json:"uid"`
	Hotkey  types.Address `json:"hotkey"`
	Score   float64       `json:"score"`
	Samples uint64        `json:"samples"`
}

type scoresDoc struct {
	Version int          `json:"version"`
	NetUID  uint16       `json:"netuid"`
	Scores  []ScoreEntry `json:"scores"`
}

// PendingCommit is a weight commitment not yet revealed. It is saved
// before the commit is sent, so the salt is never lost.
type PendingCommit struct {
	Hash        types.Hash `json:"hash"`
	UIDs        []uint16   `json:"uids"`
	Values      []uint16   `json:"values"`
	Salt        []uint16   `json:"salt"`
	VersionKey  uint64     `json:"version_key"`
	CommitBlock uint64     `json:"commit_block"`
	// First and Last bound the reveal window (inclusive).
	First uint64 `json:"reveal_first"`
	Last  uint64 `json:"reveal_last"`
	// Unconfirmed: sending the commit ended without an answer (a timeout,
	// a transport error), so it may or may not have landed. CommitBlock,
	// First and Last are estimates until the chain lists the commit.
	Unconfirmed bool `json:"unconfirmed,omitempty"`
}

type weightsDoc struct {
	Version int            `json:"version"`
	NetUID  uint16         `json:"netuid"`
	LastSet uint64         `json:"last_set"` // block of our last successful set or reveal
	Pending *PendingCommit `json:"pending,omitempty"`
}

// decodeScores parses scores.json strictly: a corrupt file is an error,
// not silently an empty history.
func decodeScores(b []byte, netuid uint16) (map[uint16]ScoreEntry, error) {
	var d scoresDoc
	if err := decodeStrict(b, &d); err != nil {
		return nil, err
	}
	if d.Version != stateVer || d.NetUID != netuid {
		return nil, fmt.Errorf("%w: %s is version %d for netuid %d, want %d and %d", ErrState, scoresFile, d.Version, d.NetUID, stateVer, netuid)
	}
	out := make(map[uint16]ScoreEntry, len(d.Scores))
	for _, e := range d.Scores {
		if _, dup := out[e.UID]; dup {
			return nil, fmt.Errorf("%w: uid %d twice", ErrState, e.UID)
		}
		if math.IsNaN(e.Score) || e.Score < 0 || e.Score > 1 {
			return nil, fmt.Errorf("%w: uid %d score %v outside [0, 1]", ErrState, e.UID, e.Score)
		}
		out[e.UID] = e
	}
	return out, nil
}

func encodeScores(m map[uint16]ScoreEntry, netuid uint16) ([]byte, error) {
	d := scoresDoc{Version: stateVer, NetUID: netuid, Scores: make([]ScoreEntry, 0, len(m))}
	for _, e := range m {
		d.Scores = append(d.Scores, e)
	}
	slices.SortFunc(d.Scores, func(a, b ScoreEntry) int { return int(a.UID) - int(b.UID) })
	return json.MarshalIndent(d, "", " ")
}

func decodeWeights(b []byte, netuid uint16) (weightsDoc, error) {
	var d weightsDoc
	if err := decodeStrict(b, &d); err != nil {
		return d, err
	}
	if d.Version != stateVer || d.NetUID != netuid {
		return d, fmt.Errorf("%w: %s is version %d for netuid %d", ErrState, weightsFile, d.Version, d.NetUID)
	}
	if p := d.Pending; p != nil {
		if len(p.UIDs) != len(p.Values) || len(p.UIDs) > types.MaxWeightsLen || len(p.Salt) > types.MaxSaltLen || p.First > p.Last {
			return d, fmt.Errorf("%w: malformed pending commit", ErrState)
		}
	}
	return d, nil
}

func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", ErrState, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: trailing data", ErrState)
	}
	return nil
}

// readState reads a state file; a missing file is (nil, nil).
func readState(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrState, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxStateBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %v", ErrState, path, err)
	}
	if len(b) > maxStateBytes {
		return nil, fmt.Errorf("%w: %s over %d bytes", ErrState, path, maxStateBytes)
	}
	return b, nil
}

// writeFileAtomic writes b to path (mode 0600) via a synced temporary file
// and a rename, then syncs the directory.
func writeFileAtomic(path string, b []byte) error {
	if err := atomicfile.Write(path, b, 0o600); err != nil {
		return fmt.Errorf("%w: %v", ErrState, err)
	}
	return nil
}

func jsonIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return nil, fmt.Errorf("%w: encode: %v", ErrState, err)
	}
	return b, nil
}
