// Package localnet runs a whole subnet network on one machine: the engine
// behind `yuma localnet`. It creates (or resumes) a network in a home
// folder, starts every node, miner and validator as a separate process of
// the yuma binary, sets the chain up over JSON-RPC, shows a live view, and
// when it stops, reports a summary.
//
// Ring 3 (shell): processes, files, sockets and clocks. It holds no chain
// rules of its own: the subnet rules it needs (tempo, registration limits)
// go into the genesis it writes (SubnetParams), and everything it does on
// chain is an ordinary signed transaction.
//
// # Processes
//
// Supervisor is the one process manager of the project (the e2e tests use
// it too). Each child runs in its own process group, so a terminal's Ctrl-C
// reaches only the supervisor, which then stops the children in order:
// miners and validators, then (after the final state is read) the nodes.
// Stop sends SIGTERM to the group, waits up to the stop timeout, then
// sends SIGKILL, and always waits for the exit. On Linux every child also
// has a parent-death signal (SIGKILL), so even a supervisor killed with
// SIGKILL leaves no orphan; elsewhere HOME/run.json lists the pids.
// A child that dies during the run is reported and not restarted: the
// network goes on without it (BFT finality needs more than two thirds of
// the nodes).
//
// # Home
//
//	HOME/localnet.json     the manifest: shape, ports, wallets (written last: its presence marks a complete home)
//	HOME/localnet.lock     flock held while a localnet runs here (a second run on the same home is refused)
//	HOME/run.json          pids of the running supervisor and children (removed on a clean exit)
//	HOME/dev-password      the password of every coldkey (DEV ONLY)
//	HOME/net/nodeN/        node homes (yuma.toml, keys, genesis, pebble data)
//	HOME/wallets/NAME/     wallets owner, miner0.., validator0.. (coldkey encrypted, hotkey plain)
//	HOME/miners/NAME/      miner data (nonces)
//	HOME/validators/NAME/  validator data (scores, pending commits)
//	HOME/logs/NAME.log     one log per process, appended across runs
//
// A home that holds a manifest is resumed: the genesis is not written
// again and the setup steps are skipped when the chain state shows them
// done (the owner's subnet, each registration, each stake, each axon). The
// network's shape (nodes, neurons, tempo, chain id) is fixed at creation;
// block time and RPC ports are node config and follow the options of each
// run. A folder that is not empty and holds no manifest is refused, never
// written into.
//
// # Keys
//
// These are development keys: each coldkey is encrypted (light scrypt)
// with DevPassword, written to HOME/dev-password; hotkeys are unencrypted.
// The header of every run says so.
//
// # Subnet
//
// The owner registers subnet 1 (its hotkey is UID 0); miners register
// next (UIDs 1..), then validators. Validators are staked, 20,000 TAO for
// the first, 10,000 for the second and so on (at least 2,000), so their
// dividends differ; max_allowed_validators equals the number of
// validators, so exactly they hold permits. Miners publish their axon on
// 127.0.0.1 and serve the built-in model at a quality, by default good,
// noisy and garbage in turn (see Config.MinerQualities), so the
// validators' scores, and Yuma's incentive, differ visibly.
//
// # Summary JSON (schema version 1)
//
// `yuma localnet --json` prints Summary. Fields are only ever added.
//
//	version          int     1
//	chain_id         string
//	home             string  absolute path of the home
//	home_kept        bool    false for a temporary home (removed after the summary)
//	reason           string  "exit_after", "interrupted" (Ctrl-C, SIGTERM) or "error"
//	error            string  set when reason is "error"
//	uptime_ms        int
//	resumed          bool    the home held a network already
//	nodes[]          {name, pid, alive, exit, height, finalized_height, app_hash, rpc, log}
//	                 app_hash is the node's state root at common_height ("" if it did not answer)
//	died[]           names of the nodes whose process exited during the run
//	common_height    int     lowest finalized height among the nodes answering at the end
//	app_hash_agree   bool    every answering node has the same app hash at common_height
//	app_hash         string  that app hash
//	issuance         {height, rao, genesis_rao, minting_blocks, expected_rao, matches}
//	                 rao is chain_supply's issuance at height (= common_height);
//	                 minting_blocks = height - subnet.registered_at (no subnet, no mint);
//	                 expected_rao = genesis_rao + emission.MintBlock applied minting_blocks times
//	subnet           {netuid, tempo, registered_at, last_epoch, epochs}
//	                 epochs: epochs completed during this run, after setup
//	neurons[]        {uid, name, role, quality, hotkey, stake_rao, incentive, incentive_u16,
//	                  dividends, dividends_u16, emission_rao, validator_permit} at common_height
//	                 role is owner, miner or validator; incentive and dividends are
//	                 the u16 values divided by 65535
//	processes[]      {name, role, pid, alive, exit, log}: the miners and validators
//	milestones       {first_block_ms, setup_ms, first_epoch_ms, first_incentive_ms}
//	                 from the start of the run; null when not reached
//	ok               bool    app_hash_agree and issuance.matches
package localnet
