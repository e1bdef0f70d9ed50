package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestJourneySubnet walks the subnet owner's, miner's and validator's
// journeys: create a subnet, register a hotkey, publish its axon, stake
// behind it, set weights (and hit the rate limit), switch the subnet to
// commit-reveal, commit and reveal, set the delegate take, unstake.
func TestJourneySubnet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	e := newCLIEnv(t).withChain()
	e.regenFaucet()
	owner, ownerWords := e.createWallet("owner")
	alice, aliceWords := e.createWallet("alice")
	pw := []string{"--password-file", e.pwFile}
	fund := func(to, amount string) {
		e.ok(append([]string{"wallet", "transfer", "--wallet", "faucet", "--to", to, "--amount", amount}, pw...)...)
	}
	fund("owner", "50")
	fund("alice", "50")
	fund("alice/default", "1") // the hotkey pays its own fees (serve, weights)

	// The owner creates a subnet.
	var sc subnetCreateJSON
	e.okJSON("subnet_create", &sc, append([]string{"subnet", "create", "--wallet", "owner"}, pw...)...)
	if sc.NetUID < 1 || !sc.Tx.OK || sc.Owner != owner.Keys[0].Address || sc.Hotkey != owner.Keys[1].Address {
		t.Fatalf("subnet create: %+v", sc)
	}
	netuid := strconv.Itoa(sc.NetUID)

	// Alice registers her hotkey and serves an axon.
	var reg neuronRegisterJSON
	e.okJSON("neuron_register", &reg, append([]string{"neuron", "register", "--netuid", netuid, "--wallet", "alice"}, pw...)...)
	if reg.UID < 1 || reg.Hotkey != alice.Keys[1].Address || !reg.Tx.OK {
		t.Fatalf("register: %+v", reg)
	}
	uid := strconv.Itoa(reg.UID)
	e.fails([]string{"already registered"}, append([]string{"neuron", "register", "--netuid", netuid, "--wallet", "alice"}, pw...)...)
	var srv neuronServeJSON
	e.okJSON("neuron_serve", &srv, "neuron", "serve", "--netuid", netuid, "--wallet", "alice", "--ip", "203.0.113.7", "--port", "8091")
	if srv.IP != "203.0.113.7" || srv.Port != 8091 || !srv.Tx.OK {
		t.Fatalf("serve: %+v", srv)
	}
	e.fails([]string{"--ip", "not an IPv4 or IPv6"}, "neuron", "serve", "--netuid", netuid, "--wallet", "alice", "--ip", "300.1.1.1", "--port", "1")

	// Stake behind the hotkey.
	var sa stakeMoveJSON
	e.okJSON("stake_move", &sa, append([]string{"stake", "add", "--wallet", "alice", "--amount", "20"}, pw...)...)
	if sa.Amount.TAO != "20.000000000" || sa.Hotkey != alice.Keys[1].Address || !sa.Tx.OK {
		t.Fatalf("stake add: %+v", sa)
	}
	e.fails([]string{"exceeds the free balance"}, append([]string{"stake", "add", "--wallet", "alice", "--amount", "1000"}, pw...)...)

	// Weights: a self-weight needs no validator permit; a second set within
	// weights_rate_limit is refused, saying when it is allowed again.
	var ws weightsSetJSON
	e.okJSONAfterRateLimit("weights_set", &ws, "weights", "set", "--netuid", netuid, "--wallet", "alice", "--uids", uid, "--weights", "1")
	if !ws.Tx.OK || len(ws.Weights) != 1 || ws.Weights[0] != 65535 {
		t.Fatalf("weights set: %+v", ws)
	}
	r := e.fails([]string{"weights rate limited", "next allowed at block"}, "weights", "set", "--netuid", netuid, "--wallet", "alice", "--uids", uid, "--weights", "1")
	if !regexp.MustCompile(`next allowed at block \d+ \(in ~\d+ s\)`).MatchString(r.stderr) {
		t.Fatalf("rate-limit message lacks the wait: %s", r.stderr)
	}

	// Stake grows with emission at each epoch, so amounts are lower bounds.
	t.Run("queries", func(t *testing.T) {
		e := e.with(t)
		var sl subnetListJSON
		e.okJSON("subnet_list", &sl, "subnet", "list")
		if len(sl.Subnets) < 2 || sl.Subnets[0].NetUID != 0 {
			t.Fatalf("subnet list: %+v", sl)
		}
		var show subnetShowJSON
		e.okJSON("subnet_show", &show, "subnet", "show", "--netuid", netuid)
		if show.N != 2 || show.Owner != owner.Keys[0].Address || len(show.Hyperparameters) < 20 {
			t.Fatalf("subnet show: %+v", show)
		}
		var hp subnetHyperJSON
		e.okJSON("subnet_hyperparameters", &hp, "subnet", "hyperparameters", "--netuid", netuid)
		found := false
		for _, h := range hp.Hyperparameters {
			if h.Name == "tempo" {
				found = h.Value == "20" && h.SettableBy == "admin"
			}
		}
		if !found {
			t.Fatalf("hyperparameters lack tempo=20 (admin): %+v", hp)
		}
		e.okJSON("subnet_lock_cost", nil, "subnet", "lock-cost")
		var bc burnCostJSON
		e.okJSON("subnet_burn_cost", &bc, "subnet", "burn-cost", "--netuid", netuid)
		if !bc.RegistrationAllowed || bc.Cost.Rao == "0" {
			t.Fatalf("burn cost: %+v", bc)
		}
		e.fails([]string{"subnet 99 does not exist", "yuma subnet list"}, "subnet", "show", "--netuid", "99")

		var mg metagraphJSON
		e.okJSON("metagraph", &mg, "metagraph", "--netuid", netuid)
		if mg.N != 2 || len(mg.Neurons) != 2 {
			t.Fatalf("metagraph: %+v", mg)
		}
		me := mg.Neurons[reg.UID]
		if me.Hotkey != alice.Keys[1].Address || me.Coldkey != alice.Keys[0].Address || mustRao(me.Stake) < 20e9 || me.Axon != "203.0.113.7:8091" {
			t.Fatalf("metagraph uid %d: %+v", reg.UID, me)
		}
		if out := e.ok("metagraph", "--netuid", netuid, "--sort", "stake").stdout; !strings.Contains(out, "203.0.113.7:8091") || !strings.Contains(out, "INCENTIVE") {
			t.Fatalf("metagraph table:\n%s", out)
		}
		var sl2 stakeListJSON
		e.okJSON("stake_list", &sl2, "stake", "list", "--wallet", "alice")
		if len(sl2.Stakes) != 1 || sl2.Stakes[0].Name != "default" || mustRao(sl2.Total) < 20e9 {
			t.Fatalf("stake list: %+v", sl2)
		}
		var ov overviewJSON
		e.okJSON("wallet_overview", &ov, "wallet", "overview", "--wallet", "alice")
		if mustRao(ov.Staked) < 20e9 || len(ov.Hotkeys) != 1 || len(ov.Hotkeys[0].Registrations) != 1 || ov.Hotkeys[0].Registrations[0].Axon != "203.0.113.7:8091" {
			t.Fatalf("overview: %+v", ov)
		}
		var bal balancesJSON
		e.okJSON("wallet_balance", &bal, "wallet", "balance", "--wallet", "alice")
		if mustRao(bal.Accounts[0].Staked) < 20e9 {
			t.Fatalf("balance: %+v", bal)
		}
		// Pre-checks refuse before anything is sent (no fee charged).
		e.fails([]string{"already registered", "nothing was sent"}, append([]string{"neuron", "register", "--netuid", netuid, "--wallet", "alice"}, pw...)...)
		e.fails([]string{"less than", "nothing was sent"}, append([]string{"stake", "remove", "--wallet", "alice", "--amount", "100000"}, pw...)...)
	})

	// Commit-reveal: the owner switches it on; alice commits and reveals.
	var set subnetSetJSON
	e.okJSON("subnet_set", &set, append([]string{"subnet", "set", "--netuid", netuid, "--param", "commit_reveal_enabled", "--value", "true", "--wallet", "owner"}, pw...)...)
	if !set.Tx.OK || set.Value != 1 {
		t.Fatalf("subnet set: %+v", set)
	}
	e.fails([]string{"unknown hyperparameter"}, append([]string{"subnet", "set", "--netuid", netuid, "--param", "no_such_param", "--value", "1", "--wallet", "owner"}, pw...)...)
	e.fails([]string{"weights commit"}, "weights", "set", "--netuid", netuid, "--wallet", "alice", "--uids", uid, "--weights", "1", "--timeout", "20s")
	var cm weightsCommitJSON
	e.okJSONAfterRateLimit("weights_commit", &cm, "weights", "commit", "--netuid", netuid, "--wallet", "alice", "--uids", uid, "--weights", "1")
	if cm.RevealFrom == 0 || cm.RevealFile == "" || !strings.HasPrefix(cm.RevealFile, filepath.Join(e.home, "wallets", "alice", "reveals")) {
		t.Fatalf("commit: %+v", cm)
	}
	var rv weightsRevealJSON
	e.okJSON("weights_reveal", &rv, "weights", "reveal", "--netuid", netuid, "--wallet", "alice", "--wait", "--timeout", "60s")
	if rv.Commit != cm.Commit || !rv.Tx.OK || rv.Tx.Height < cm.RevealFrom {
		t.Fatalf("reveal: %+v (commit %+v)", rv, cm)
	}
	e.fails([]string{"no reveal file"}, "weights", "reveal", "--netuid", netuid, "--wallet", "alice")

	// The owner's delegate take, then unstaking.
	var tk setTakeJSON
	e.okJSON("delegate_set_take", &tk, append([]string{"delegate", "set-take", "--wallet", "owner", "--take", "9%"}, pw...)...)
	if tk.Take != 5898 || !tk.Tx.OK {
		t.Fatalf("set-take: %+v", tk)
	}
	e.fails([]string{"not hotkey owner"}, append([]string{"delegate", "set-take", "--wallet", "alice", "--hotkey-address", "owner/default", "--take", "1%"}, pw...)...)
	var rm stakeMoveJSON
	e.okJSON("stake_move", &rm, append([]string{"stake", "remove", "--wallet", "alice", "--amount", "5"}, pw...)...)
	if rm.Amount.TAO != "5.000000000" || !rm.Tx.OK {
		t.Fatalf("stake remove: %+v", rm)
	}

	secrets := secretsOf(t, ownerWords, aliceWords)
	assertNoSecrets(t, "CLI output", e.all.String(), secrets)
	assertNoSecrets(t, "node logs", e.logs.String(), secrets)
}

// okJSONAfterRateLimit is okJSON for a call that may be rate-limited: it
// waits for the block the error names and tries again.
func (e *cliEnv) okJSONAfterRateLimit(schema string, v any, args ...string) {
	e.t.Helper()
	for try := 0; ; try++ {
		r := e.yuma("", append(args, "--json")...)
		if r.code == 0 {
			checkSchema(e.t, schema, r.stdout)
			mustUnmarshal(e.t, r.stdout, v)
			return
		}
		var ej errorJSON
		mustUnmarshal(e.t, r.stdout, &ej)
		if !strings.HasSuffix(ej.Error.Code, "rate_limited") || ej.Error.RetryAt == 0 || try == 3 {
			e.t.Fatalf("yuma %s: %s", strings.Join(args, " "), r.stderr)
		}
		g := &globals{rpcURL: e.rpc, timeout: 30 * time.Second}
		cl, _ := g.client()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if h, err := cl.Head(context.Background()); err == nil && h.Height >= ej.Error.RetryAt {
				break
			}
		}
	}
}
