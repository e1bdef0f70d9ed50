package subnet

import "github.com/yumachain/yuma/chain"

// Transaction errors of the subnet module. Each fails the transaction (the
// fee stays charged, the call's writes are reverted) and its code appears
// in the receipt. Rate-limit errors carry RetryAt, the first block at which
// the same call can pass that check. Balance shortfalls are reported with
// chain.ErrInsufficientFunds and a zero unstake with chain.ErrZeroAmount.
var (
	// Subnets and networks.

	// ErrSubnetNotFound: no subnet has this netuid.
	ErrSubnetNotFound = chain.NewTxError("subnet_not_found", "no subnet with this netuid")
	// ErrRootNotAllowed: the call is not valid on the root network
	// (netuid 0), e.g. burned_register or serve_axon on root.
	ErrRootNotAllowed = chain.NewTxError("root_not_allowed", "not permitted on the root network")
	// ErrNetworkRateLimited: another network was registered too recently.
	ErrNetworkRateLimited = chain.NewTxError("network_rate_limited", "a network was registered too recently")
	// ErrAllSubnetsImmune: the subnet limit is reached and every subnet is
	// still inside its network immunity period, so none can be pruned.
	ErrAllSubnetsImmune = chain.NewTxError("all_subnets_immune", "subnet limit reached and every subnet is immune")

	// Hyperparameters.

	// ErrUnknownHyperparameter: no hyperparameter has this name.
	ErrUnknownHyperparameter = chain.NewTxError("unknown_hyperparameter", "no hyperparameter with this name")
	// ErrHyperparameterOutOfRange: the value is outside the parameter's
	// range (the message states the range).
	ErrHyperparameterOutOfRange = chain.NewTxError("hyperparameter_out_of_range", "value out of range")
	// ErrNotSubnetOwner: the signer is neither the subnet owner nor the
	// chain admin.
	ErrNotSubnetOwner = chain.NewTxError("not_subnet_owner", "signer does not own the subnet")
	// ErrNotAdmin: the parameter is root-only and the signer is not the
	// chain admin.
	ErrNotAdmin = chain.NewTxError("not_admin", "only the chain admin may change this")
	// ErrHyperparameterRateLimited: the parameter changed too recently.
	ErrHyperparameterRateLimited = chain.NewTxError("hyperparameter_rate_limited", "hyperparameter changed too recently")
	// ErrAdminFreezeWindow: the subnet's epoch is only a few blocks away;
	// parameters are frozen until it has run.
	ErrAdminFreezeWindow = chain.NewTxError("admin_freeze_window", "hyperparameters are frozen in the last blocks before an epoch")
	// ErrLiquidAlphaDisabled: alpha_low/alpha_high need liquid alpha on.
	ErrLiquidAlphaDisabled = chain.NewTxError("liquid_alpha_disabled", "liquid alpha is disabled on this subnet")

	// Registration.

	// ErrRegistrationDisabled: the subnet does not accept registrations.
	ErrRegistrationDisabled = chain.NewTxError("registration_disabled", "registration is disabled on this subnet")
	// ErrTooManyRegistrationsThisBlock: max_regs_per_block reached.
	ErrTooManyRegistrationsThisBlock = chain.NewTxError("too_many_registrations_this_block", "registration limit of this block reached")
	// ErrTooManyRegistrationsThisInterval: three times
	// target_regs_per_interval reached in this adjustment interval.
	ErrTooManyRegistrationsThisInterval = chain.NewTxError("too_many_registrations_this_interval", "registration limit of this interval reached")
	// ErrHotkeyAlreadyRegistered: the hotkey already has a UID here.
	ErrHotkeyAlreadyRegistered = chain.NewTxError("hotkey_already_registered", "hotkey is already registered on this subnet")
	// ErrNonAssociatedColdkey: the hotkey belongs to another coldkey.
	ErrNonAssociatedColdkey = chain.NewTxError("non_associated_coldkey", "hotkey is owned by another coldkey")
	// ErrAllUIDsImmune: the subnet is full and every UID is inside its
	// immunity period, so none can be replaced.
	ErrAllUIDsImmune = chain.NewTxError("all_uids_immune", "subnet is full and every UID is immune")
	// ErrStakeTooLowForRoot: the root network is full and the hotkey's
	// stake does not exceed the lowest root validator's.
	ErrStakeTooLowForRoot = chain.NewTxError("stake_too_low_for_root", "stake is not above the lowest root validator's")

	// Neurons, serving.

	// ErrHotkeyNotRegistered: the hotkey has no UID on this subnet.
	ErrHotkeyNotRegistered = chain.NewTxError("hotkey_not_registered", "hotkey is not registered on this subnet")
	// ErrInvalidIPType: ip type is not 4 or 6, or does not fit the address.
	ErrInvalidIPType = chain.NewTxError("invalid_ip_type", "ip type must be 4 or 6")
	// ErrInvalidIPAddress: unspecified, broadcast, multicast or reserved.
	ErrInvalidIPAddress = chain.NewTxError("invalid_ip_address", "ip address cannot be served")
	// ErrInvalidPort: port 0.
	ErrInvalidPort = chain.NewTxError("invalid_port", "port must be positive")
	// ErrServingRateLimited: the axon was served too recently.
	ErrServingRateLimited = chain.NewTxError("serving_rate_limited", "axon served too recently")

	// Stake and take.

	// ErrHotkeyNotFound: the hotkey has never been registered, so it has no
	// owner to stake behind.
	ErrHotkeyNotFound = chain.NewTxError("hotkey_not_found", "hotkey is not known to the chain")
	// ErrStakeTooLow: add_stake below the minimum stake.
	ErrStakeTooLow = chain.NewTxError("stake_too_low", "amount is below the minimum stake")
	// ErrNotEnoughStake: remove_stake of more than the coldkey has staked
	// behind the hotkey.
	ErrNotEnoughStake = chain.NewTxError("not_enough_stake", "not that much stake behind this hotkey")
	// ErrNotHotkeyOwner: the signer does not own the hotkey.
	ErrNotHotkeyOwner = chain.NewTxError("not_hotkey_owner", "signer does not own the hotkey")
	// ErrTakeTooHigh / ErrTakeTooLow: outside min_take..max_take.
	ErrTakeTooHigh = chain.NewTxError("delegate_take_too_high", "take is above the maximum")
	ErrTakeTooLow  = chain.NewTxError("delegate_take_too_low", "take is below the minimum")
	// ErrTakeUnchanged: the take equals the current take.
	ErrTakeUnchanged = chain.NewTxError("delegate_take_unchanged", "take equals the current take")
	// ErrTakeRateLimited: the take was increased too recently.
	ErrTakeRateLimited = chain.NewTxError("delegate_take_rate_limited", "take increased too recently")

	// Weights and commit-reveal.

	// ErrWeightsLengthMismatch: uids and values differ in length.
	ErrWeightsLengthMismatch = chain.NewTxError("weights_length_mismatch", "uids and weights differ in length")
	// ErrTooManyWeights: more weights than UIDs on the subnet.
	ErrTooManyWeights = chain.NewTxError("too_many_weights", "more weights than UIDs on the subnet")
	// ErrNotEnoughStakeToSetWeights: stake below weights_min_stake.
	ErrNotEnoughStakeToSetWeights = chain.NewTxError("not_enough_stake_to_set_weights", "hotkey stake is below the minimum to set weights")
	// ErrIncorrectWeightsVersion: version key below the subnet's.
	ErrIncorrectWeightsVersion = chain.NewTxError("incorrect_weights_version", "version key is below the subnet's weights_version")
	// ErrCommitRevealEnabled: plain set_weights on a commit-reveal subnet.
	ErrCommitRevealEnabled = chain.NewTxError("commit_reveal_enabled", "this subnet takes weights by commit and reveal")
	// ErrCommitRevealDisabled: commit or reveal on a subnet without it.
	ErrCommitRevealDisabled = chain.NewTxError("commit_reveal_disabled", "commit-reveal is disabled on this subnet")
	// ErrWeightsRateLimited: weights set or committed too recently.
	ErrWeightsRateLimited = chain.NewTxError("weights_rate_limited", "weights set too recently")
	// ErrNoValidatorPermit: non-self weights without a validator permit.
	ErrNoValidatorPermit = chain.NewTxError("no_validator_permit", "hotkey has no validator permit")
	// ErrDuplicateUIDs: a UID appears twice.
	ErrDuplicateUIDs = chain.NewTxError("duplicate_uids", "a uid appears twice")
	// ErrInvalidUID: a UID (or, on root, a netuid) does not exist.
	ErrInvalidUID = chain.NewTxError("invalid_uid", "a uid does not exist")
	// ErrTooFewWeights: fewer weights than min_allowed_weights.
	ErrTooFewWeights = chain.NewTxError("too_few_weights", "fewer weights than the subnet's minimum")
	// ErrMaxWeightExceeded: a normalized weight above max_weights_limit.
	ErrMaxWeightExceeded = chain.NewTxError("max_weight_exceeded", "a weight exceeds the subnet's max weight limit")
	// ErrTooManyUnrevealedCommits: the hotkey's pending commits are full.
	ErrTooManyUnrevealedCommits = chain.NewTxError("too_many_unrevealed_commits", "too many unrevealed weight commits")
	// ErrNoWeightsCommit: the hotkey has no pending commit here.
	ErrNoWeightsCommit = chain.NewTxError("no_weights_commit", "no pending weight commit")
	// ErrCommitHashMismatch: the reveal matches none of the pending commits.
	ErrCommitHashMismatch = chain.NewTxError("commit_hash_mismatch", "reveal does not match any pending commit")
	// ErrRevealTooEarly: the commit's reveal epoch has not begun.
	ErrRevealTooEarly = chain.NewTxError("reveal_too_early", "the commit's reveal window has not opened")
	// ErrCommitExpired: the matching commit's reveal window has passed.
	ErrCommitExpired = chain.NewTxError("commit_expired", "the commit's reveal window has passed")
)
