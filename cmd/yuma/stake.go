package main

import (
	"context"

	"github.com/yumachain/yuma/types"
)

// coldkeyStake is the total stake a coldkey has behind all hotkeys.
// TODO(subnet rpc): read stake_get once rpc/subnet.go lands.
func (g *globals) coldkeyStake(ctx context.Context, coldkey types.Address) (uint64, error) {
	return 0, nil
}

// stakeBehind is coldkey's stake behind hotkey.
func (g *globals) stakeBehind(ctx context.Context, coldkey, hotkey types.Address) (uint64, error) {
	return 0, nil
}

// registrationJSON is one subnet a hotkey is registered on.
type registrationJSON struct {
	NetUID    uint16 `json:"netuid"`
	UID       uint16 `json:"uid"`
	Incentive string `json:"incentive"`
	Dividends string `json:"dividends"`
	Axon      string `json:"axon"`
}

// registrations lists where hotkey is registered.
func (g *globals) registrations(ctx context.Context, hotkey types.Address) ([]registrationJSON, error) {
	return []registrationJSON{}, nil
}
