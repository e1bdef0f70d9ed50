package main

import (
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/subnet"
)

// defaultModules are the state modules every yuma node runs.
func defaultModules() []chain.Module { return []chain.Module{subnet.New()} }
