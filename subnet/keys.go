package subnet

import (
	"encoding/binary"

	"github.com/yumachain/yuma/types"
)

// State layout of the subnet module. Every key starts with "sn/"; integers
// inside keys are big-endian so that iteration visits them in numeric
// order; addresses are their 20 raw bytes. Values are RLP (go-ethereum rlp)
// of the types named below; a "row" is an RLP byte string of packed
// big-endian (uid:2, value:2) pairs in uid order, nonzero values only (see
// encodeRow).
//
//	sn/p                              Params      chain rules of the module, fixed at genesis
//	sn/g                              Globals     network lock cost state
//	sn/n/<netuid:2>                   Subnet      owner, lock, counters, burn, pending emission, emission share
//	sn/hp/<netuid:2>                  Hyperparams the subnet's hyperparameters
//	sn/hr/<netuid:2><name>            uint64      block of the last change of hyperparameter <name>
//	sn/u/<netuid:2><uid:2>            Neuron      hotkey, registration, last update, epoch outputs
//	sn/w/<netuid:2><uid:2>            row         the UID's weights row (absent = no weights)
//	sn/b/<netuid:2><uid:2>            row         the UID's bonds row (absent = no bonds)
//	sn/k/<netuid:2><hotkey:20>        uint16      UID of a hotkey on a subnet
//	sn/a/<netuid:2><hotkey:20>        Axon        the hotkey's served endpoint on a subnet
//	sn/c/<netuid:2><hotkey:20>        []Commit    the hotkey's unrevealed weight commits, oldest first
//	sn/h/<hotkey:20>                  Hotkey      owner coldkey, delegate take, total stake
//	sn/s/<hotkey:20><coldkey:20>      uint64      rao staked by coldkey behind hotkey (held by the module)
//	sn/x/<coldkey:20><hotkey:20>      (empty)     index of sn/s by coldkey, for stake queries
//
// Netuid 0 is the root network: its Subnet record has no owner and no lock,
// its neurons are the root validators, and its weights rows hold
// (netuid, weight) pairs.
var (
	keyParams   = []byte("sn/p")
	keyGlobals  = []byte("sn/g")
	pfxSubnet   = []byte("sn/n/")
	pfxHyper    = []byte("sn/hp/")
	pfxHyperSet = []byte("sn/hr/")
	pfxNeuron   = []byte("sn/u/")
	pfxWeights  = []byte("sn/w/")
	pfxBonds    = []byte("sn/b/")
	pfxUID      = []byte("sn/k/")
	pfxAxon     = []byte("sn/a/")
	pfxCommits  = []byte("sn/c/")
	pfxHotkey   = []byte("sn/h/")
	pfxStake    = []byte("sn/s/")
	pfxStakeIdx = []byte("sn/x/")
)

// perSubnetPrefixes are the prefixes whose keys start with a netuid; they
// are cleared when a subnet is removed.
var perSubnetPrefixes = [][]byte{pfxHyper, pfxHyperSet, pfxNeuron, pfxWeights, pfxBonds, pfxUID, pfxAxon, pfxCommits, pfxSubnet}

func key(prefix []byte, parts ...[]byte) []byte {
	n := len(prefix)
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	k = append(k, prefix...)
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

func subnetKey(netuid uint16) []byte { return key(pfxSubnet, be16(netuid)) }
func hyperKey(netuid uint16) []byte  { return key(pfxHyper, be16(netuid)) }
func hyperSetKey(netuid uint16, name string) []byte {
	return key(pfxHyperSet, be16(netuid), []byte(name))
}
func neuronKey(netuid, uid uint16) []byte  { return key(pfxNeuron, be16(netuid), be16(uid)) }
func neuronPrefix(netuid uint16) []byte    { return key(pfxNeuron, be16(netuid)) }
func weightsKey(netuid, uid uint16) []byte { return key(pfxWeights, be16(netuid), be16(uid)) }
func weightsPrefix(netuid uint16) []byte   { return key(pfxWeights, be16(netuid)) }
func bondsKey(netuid, uid uint16) []byte   { return key(pfxBonds, be16(netuid), be16(uid)) }
func bondsPrefix(netuid uint16) []byte     { return key(pfxBonds, be16(netuid)) }
func uidKey(netuid uint16, hk types.Address) []byte {
	return key(pfxUID, be16(netuid), hk[:])
}
func axonKey(netuid uint16, hk types.Address) []byte {
	return key(pfxAxon, be16(netuid), hk[:])
}
func commitsKey(netuid uint16, hk types.Address) []byte {
	return key(pfxCommits, be16(netuid), hk[:])
}
func hotkeyKey(hk types.Address) []byte { return key(pfxHotkey, hk[:]) }
func stakeKey(hk, ck types.Address) []byte {
	return key(pfxStake, hk[:], ck[:])
}
func stakePrefix(hk types.Address) []byte { return key(pfxStake, hk[:]) }
func stakeIdxKey(ck, hk types.Address) []byte {
	return key(pfxStakeIdx, ck[:], hk[:])
}
func stakeIdxPrefix(ck types.Address) []byte { return key(pfxStakeIdx, ck[:]) }
