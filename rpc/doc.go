// Package rpc is yuma's JSON-RPC 2.0 interface over HTTP and WebSocket: the
// method set and its types (api.go), the server that exposes a Backend, and
// a typed client used by the CLI, miners and validators.
//
// Ring 3 (shell). The server binds to loopback unless told otherwise, limits
// request sizes, and never panics on remote input.
package rpc
