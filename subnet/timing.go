package subnet

import "math"

// Epoch timing, as subtensor's blocks_until_next_epoch: with the netuid as
// offset (so subnets do not all run at once), subnet netuid runs its epoch
// at block b when
//
//	(b + netuid + 1) mod (tempo + 1) == tempo
//
// i.e. every tempo+1 blocks, on the last block of each epoch index (see
// epochIndex). A tempo of 0 never runs (tempo is range-checked to >= 1).
func blocksUntilNextEpoch(netuid, tempo uint16, block uint64) uint64 {
	if tempo == 0 {
		return math.MaxUint64
	}
	t1 := uint64(tempo) + 1
	return uint64(tempo) - (block+uint64(netuid)+1)%t1
}

func isEpochBlock(netuid, tempo uint16, block uint64) bool {
	return blocksUntilNextEpoch(netuid, tempo, block) == 0
}

// epochIndex numbers a subnet's epochs, as subtensor's get_epoch_index: the
// index increases on the block after each epoch block. Commit-reveal windows
// are counted in these indices.
func epochIndex(netuid, tempo uint16, block uint64) uint64 {
	return (block + uint64(netuid) + 1) / (uint64(tempo) + 1)
}

// firstBlockOfEpoch is the first block whose epochIndex is e.
func firstBlockOfEpoch(netuid, tempo uint16, e uint64) uint64 {
	start := satMul(e, uint64(tempo)+1)
	off := uint64(netuid) + 1
	if start < off {
		return 0
	}
	return start - off
}

// NextEpochBlock is the first block after block at which the subnet runs
// its epoch.
func NextEpochBlock(netuid, tempo uint16, block uint64) uint64 {
	return block + 1 + blocksUntilNextEpoch(netuid, tempo, block+1)
}

// RevealWindow is the inclusive range of blocks in which a weights commit
// included in block commitBlock on subnet netuid may be revealed: the whole
// epoch (see epochIndex) that comes period epochs after the commit's. A
// reveal before first is too early; after last the commit has expired.
func RevealWindow(netuid, tempo uint16, period, commitBlock uint64) (first, last uint64) {
	e := epochIndex(netuid, tempo, commitBlock) + period
	return firstBlockOfEpoch(netuid, tempo, e), firstBlockOfEpoch(netuid, tempo, e+1) - 1
}
