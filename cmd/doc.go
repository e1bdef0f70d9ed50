// Package cmd holds the yuma command-line binary (cmd/yuma) and the helpers
// its subcommands share.
//
// Ring 3 (shell): it parses flags, reads config and keys, starts processes
// and prints tables or JSON. Library code below it never exits the process.
package cmd
