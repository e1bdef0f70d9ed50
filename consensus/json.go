package consensus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// JSON form (the case format of the spec): an Entry is the array
// [uid, value]; u64 values are numbers, or strings when above 2^53 (both are
// accepted when decoding).

// maxSafeJSON is the largest integer a JSON number carries exactly in
// common decoders (2^53).
const maxSafeJSON = 1 << 53

// MarshalJSON encodes e as [uid, value].
func (e Entry) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 16)
	b = append(b, '[')
	b = strconv.AppendUint(b, uint64(e.UID), 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(e.Value), 10)
	return append(b, ']'), nil
}

// UnmarshalJSON decodes [uid, value] with both in 0..65535.
func (e *Entry) UnmarshalJSON(data []byte) error {
	var pair []json.Number
	if err := json.Unmarshal(data, &pair); err != nil {
		return fmt.Errorf("consensus: entry %s: %w", data, err)
	}
	if len(pair) != 2 {
		return fmt.Errorf("consensus: entry %s: want [uid, value]", data)
	}
	uid, err := strconv.ParseUint(pair[0].String(), 10, 16)
	if err != nil {
		return fmt.Errorf("consensus: entry uid %s: %w", pair[0], err)
	}
	val, err := strconv.ParseUint(pair[1].String(), 10, 16)
	if err != nil {
		return fmt.Errorf("consensus: entry value %s: %w", pair[1], err)
	}
	e.UID, e.Value = uint16(uid), uint16(val)
	return nil
}

// u64 is a uint64 in JSON: a number, or a decimal string (written for
// values above 2^53).
type u64 uint64

func (v u64) MarshalJSON() ([]byte, error) {
	if v > maxSafeJSON {
		return []byte(`"` + strconv.FormatUint(uint64(v), 10) + `"`), nil
	}
	return strconv.AppendUint(nil, uint64(v), 10), nil
}

func (v *u64) UnmarshalJSON(data []byte) error {
	s := string(bytes.TrimSpace(data))
	if s == "null" {
		return nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("consensus: u64 %s: %w", data, err)
	}
	*v = u64(n)
	return nil
}

func toU64s(v []uint64) []u64 {
	if v == nil {
		return nil
	}
	out := make([]u64, len(v))
	for i, x := range v {
		out[i] = u64(x)
	}
	return out
}

func fromU64s(v []u64) []uint64 {
	if v == nil {
		return nil
	}
	out := make([]uint64, len(v))
	for i, x := range v {
		out[i] = uint64(x)
	}
	return out
}

type hyperparametersJSON Hyperparameters

type hyperparametersWire struct {
	*hyperparametersJSON
	BondsMovingAverage u64 `json:"bonds_moving_average"`
	ActivityCutoff     u64 `json:"activity_cutoff"`
	ImmunityPeriod     u64 `json:"immunity_period"`
}

// MarshalJSON writes u64 fields above 2^53 as strings.
func (h Hyperparameters) MarshalJSON() ([]byte, error) {
	return json.Marshal(hyperparametersWire{
		hyperparametersJSON: (*hyperparametersJSON)(&h),
		BondsMovingAverage:  u64(h.BondsMovingAverage),
		ActivityCutoff:      u64(h.ActivityCutoff),
		ImmunityPeriod:      u64(h.ImmunityPeriod),
	})
}

// UnmarshalJSON accepts u64 fields as numbers or strings.
func (h *Hyperparameters) UnmarshalJSON(data []byte) error {
	w := hyperparametersWire{
		hyperparametersJSON: (*hyperparametersJSON)(h),
		BondsMovingAverage:  u64(h.BondsMovingAverage),
		ActivityCutoff:      u64(h.ActivityCutoff),
		ImmunityPeriod:      u64(h.ImmunityPeriod),
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	h.BondsMovingAverage = uint64(w.BondsMovingAverage)
	h.ActivityCutoff = uint64(w.ActivityCutoff)
	h.ImmunityPeriod = uint64(w.ImmunityPeriod)
	return nil
}

type inputJSON Input

type inputWire struct {
	*inputJSON
	Block               u64   `json:"block"`
	Tempo               u64   `json:"tempo"`
	Stake               []u64 `json:"stake"`
	LastUpdate          []u64 `json:"last_update"`
	BlockAtRegistration []u64 `json:"block_at_registration"`
	Emission            u64   `json:"emission"`
	StakeThreshold      u64   `json:"stake_threshold,omitempty"`
	LastEpochBlock      u64   `json:"last_epoch_block,omitempty"`
	CommitBlocks        []u64 `json:"commit_blocks,omitempty"`
}

// MarshalJSON writes the case format (u64 values above 2^53 as strings).
func (in Input) MarshalJSON() ([]byte, error) {
	return json.Marshal(inputWire{
		inputJSON:           (*inputJSON)(&in),
		Block:               u64(in.Block),
		Tempo:               u64(in.Tempo),
		Stake:               toU64s(in.Stake),
		LastUpdate:          toU64s(in.LastUpdate),
		BlockAtRegistration: toU64s(in.BlockAtRegistration),
		Emission:            u64(in.Emission),
		StakeThreshold:      u64(in.StakeThreshold),
		LastEpochBlock:      u64(in.LastEpochBlock),
		CommitBlocks:        toU64s(in.CommitBlocks),
	})
}

// UnmarshalJSON reads the case format; u64 values may be numbers or strings.
// Unknown fields (a case's name, expected, ...) are ignored, and fields
// absent from data keep their current value.
func (in *Input) UnmarshalJSON(data []byte) error {
	w := inputWire{
		inputJSON:           (*inputJSON)(in),
		Block:               u64(in.Block),
		Tempo:               u64(in.Tempo),
		Stake:               toU64s(in.Stake),
		LastUpdate:          toU64s(in.LastUpdate),
		BlockAtRegistration: toU64s(in.BlockAtRegistration),
		Emission:            u64(in.Emission),
		StakeThreshold:      u64(in.StakeThreshold),
		LastEpochBlock:      u64(in.LastEpochBlock),
		CommitBlocks:        toU64s(in.CommitBlocks),
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	in.Block = uint64(w.Block)
	in.Tempo = uint64(w.Tempo)
	in.Stake = fromU64s(w.Stake)
	in.LastUpdate = fromU64s(w.LastUpdate)
	in.BlockAtRegistration = fromU64s(w.BlockAtRegistration)
	in.Emission = uint64(w.Emission)
	in.StakeThreshold = uint64(w.StakeThreshold)
	in.LastEpochBlock = uint64(w.LastEpochBlock)
	in.CommitBlocks = fromU64s(w.CommitBlocks)
	return nil
}

type outputJSON Output

type outputWire struct {
	*outputJSON
	ServerEmission    []u64 `json:"server_emission"`
	ValidatorEmission []u64 `json:"validator_emission"`
	Emission          []u64 `json:"emission,omitempty"`
}

// MarshalJSON writes the output form (u64 values above 2^53 as strings).
func (o Output) MarshalJSON() ([]byte, error) {
	return json.Marshal(outputWire{
		outputJSON:        (*outputJSON)(&o),
		ServerEmission:    toU64s(o.ServerEmission),
		ValidatorEmission: toU64s(o.ValidatorEmission),
		Emission:          toU64s(o.Emission),
	})
}

// UnmarshalJSON reads the output form; u64 values may be numbers or strings.
func (o *Output) UnmarshalJSON(data []byte) error {
	w := outputWire{
		outputJSON:        (*outputJSON)(o),
		ServerEmission:    toU64s(o.ServerEmission),
		ValidatorEmission: toU64s(o.ValidatorEmission),
		Emission:          toU64s(o.Emission),
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	o.ServerEmission = fromU64s(w.ServerEmission)
	o.ValidatorEmission = fromU64s(w.ValidatorEmission)
	o.Emission = fromU64s(w.Emission)
	return nil
}
