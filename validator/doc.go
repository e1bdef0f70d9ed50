// Package validator is the dendrite side of a subnet: every interval it
// samples miners from the metagraph, sends them a signed challenge from a
// Task, verifies each signed response against the hotkey that owns the UID
// on chain, scores it, keeps an exponential moving average of scores per
// UID (persisted in DataDir/scores.json), and sets weights on chain within
// the subnet's rules: the weights rate limit, min_allowed_weights,
// max_weights_limit, and commit-reveal when the subnet enables it (the
// salt and weights of a pending commit are persisted in
// DataDir/weights.json before the commit is sent, so a restart can still
// reveal). Every skipped or failed weight setting is logged and counted by
// reason, and a gauge warns before activity_cutoff is reached without a
// successful one.
//
// Ring 3 (shell). Weight computation (ComputeWeights) is a pure function.
// The chain is reached only through the small consumer-side interfaces
// Metagraph, Chain and WeightSetter; the lead wires them to the RPC client.
//
// To write a new subnet task, implement Task (make a challenge whose answer
// you can check, score a response body in [0, 1]); the miner side
// implements miner.Handler. The built-in task is TextGenTask.
//
// Entry points: New and Validator.Step for embedding and tests, Run for the
// command line.
package validator
