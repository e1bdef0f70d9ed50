// Package node is the composition root of a yuma node: the CometBFT block
// engine driving the ABCI++ application, the libp2p transport, pebble
// storage, the JSON-RPC server over HTTP and WebSocket, and Prometheus
// metrics.
//
// Ring 3 (shell): goroutines, sockets, disk, clocks, metrics and logs live
// here and nowhere inward.
package node
