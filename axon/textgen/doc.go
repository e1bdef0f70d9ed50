// Package textgen is the built-in subnet task: text continuation by a small
// word-level n-gram language model that trains in-process, at start-up, on
// public-domain text shipped with the binary (corpus/, embedded).
//
// Both roles use it: a miner's built-in backend generates continuations
// with it, and a validator generates the same continuation with its own
// copy to score miners (Score). Generation is a pure function of the model
// and the prompt: the "random" choices are drawn from a splitmix64 stream
// seeded by the SHA-256 of the prompt's tokens, so two processes built
// from the same corpus always agree, whatever their Go version.
//
// The corpus is split by paragraph: every tenth paragraph is held out of
// training and used only for prompts (HeldOut, Prompt), so a challenge's
// prompt is text the model has not memorized.
//
// The wire types of the task (Request, Response) and their strict decoders
// are here too, so miner and validator agree on them.
package textgen
