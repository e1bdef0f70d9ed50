package main

import "github.com/yumachain/yuma/chain"

// defaultModules are the state modules every yuma node runs.
func defaultModules() []chain.Module { return nil }
