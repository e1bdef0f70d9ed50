// Package subnet is the state module for subnets: registration of networks
// and neurons, hyperparameters, axon info, stake, weights and commit-reveal,
// and the per-tempo epoch trigger that runs Yuma consensus and pays out
// emission.
//
// Ring 2 (state transition). It is deterministic: block time and height come
// from the header, iteration is in key order, and all arithmetic is integer
// or fixed point. Transaction failures are returned as named errors that
// become receipts (errors.go); storage errors are returned wrapped and halt
// the node.
//
// # State and holdings
//
// The state layout is in keys.go. The module holds, outside balances and
// counted by Held: all stake, every subnet's network lock, and every
// subnet's pending emission. Nothing else.
//
// # Rules, in brief (details on each function)
//
//   - Networks (network.go): register_network locks LockCost (subtensor's
//     get_network_lock_cost: doubles per registration, decays linearly back
//     over network_lock_reduction_interval, floor network_min_lock). The lock
//     is held and returned to the owner if the subnet is pruned. At
//     subnet_limit, the subnet with the lowest emission share outside its
//     network immunity period is pruned (ties: earliest registered, then
//     lowest netuid); its pending emission is burned; if every subnet is
//     immune the registration fails with all_subnets_immune.
//   - Hyperparameters (hyper.go): owner-settable or root-only as in
//     subtensor's admin-utils; every change rate-limited per parameter and
//     refused in the admin freeze window before the subnet's epoch.
//   - Registration (register.go): burned_register burns the subnet's burn,
//     which adjust_registration_terms moves toward the target every
//     adjustment_interval; a full subnet replaces the lowest pruning score
//     outside immunity (never the owner's hotkey, never an immune UID:
//     all_uids_immune). root_register replaces the least-staked root
//     validator when root is full. A hotkey's owner is fixed at its first
//     registration.
//   - Stake (stake.go): stake is chain-wide per (hotkey, coldkey); a
//     hotkey's stake weight on every subnet is its total stake.
//   - Weights (weights.go): subtensor's set_weights checks, max-upscaled to
//     u16; hash commit-reveal with types.WeightsCommitHash.
//   - Every block (block.go): the block reward (emission.BlockReward,
//     capped) is minted and split among subnets by the emission shares the
//     root epoch decided (equally while no share is set) into their pending
//     emission. A subnet's epoch runs when (block + netuid + 1) mod
//     (tempo + 1) == tempo (timing.go).
//   - Epochs (epoch.go): the owner's cut goes to the owner's balance;
//     consensus.Epoch decides server and validator emission per UID; server
//     emission is staked for the hotkey's owner; validator emission pays
//     the delegate take to the owner and the rest pro rata to the hotkey's
//     stakers (dust to the owner). Whatever the epoch leaves undistributed
//     stays pending for the next epoch: no rao is lost. The root epoch runs
//     the same consensus.Epoch over root validators and one column per
//     subnet; each column's incentive is that subnet's emission share.
//
// Queries for the RPC layer are in query.go.
package subnet
