package localnet

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/types"
)

// txFee is the fee of every setup transaction (the genesis minimum).
const txFee = 1000

// submitter signs and submits transactions to one node and waits for
// inclusion (BFT finality: included is final).
type submitter struct {
	cl      *rpc.Client
	chainID string
	timeout time.Duration
}

// send signs call with key and waits for its receipt. A failed receipt is
// an error naming what.
func (s *submitter) send(ctx context.Context, what string, key *ecdsa.PrivateKey, call types.Call) (rpc.SubmitResult, error) {
	return s.submit(ctx, what, key, call, rpc.WaitInclusion)
}

// submit signs and submits call; with rpc.WaitNone it returns once the node
// admitted it.
func (s *submitter) submit(ctx context.Context, what string, key *ecdsa.PrivateKey, call types.Call, wait rpc.Wait) (rpc.SubmitResult, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	from := crypto.PubkeyToAddress(key.PublicKey)
	var last error
	for attempt := 0; attempt < 5; attempt++ {
		acc, err := s.cl.Account(ctx, from, nil)
		if err != nil {
			return rpc.SubmitResult{}, fmt.Errorf("%w: %s: read the nonce of %s: %v", ErrSetup, what, from.Hex(), err)
		}
		tx, err := types.NewTx(s.chainID, acc.Nonce, txFee, call)
		if err != nil {
			return rpc.SubmitResult{}, fmt.Errorf("%w: %s: %v", ErrSetup, what, err)
		}
		if err := tx.Sign(key); err != nil {
			return rpc.SubmitResult{}, fmt.Errorf("%w: %s: %v", ErrSetup, what, err)
		}
		raw, err := tx.Encode()
		if err != nil {
			return rpc.SubmitResult{}, fmt.Errorf("%w: %s: %v", ErrSetup, what, err)
		}
		ms := min(s.timeout, 60*time.Second).Milliseconds()
		res, err := s.cl.Submit(ctx, rpc.SubmitRequest{Tx: hex.EncodeToString(raw), Wait: wait, TimeoutMs: ms})
		if err != nil {
			// A nonce race (a tx of the same signer still in flight) is
			// retried with a fresh nonce.
			var re *rpc.Error
			if errors.As(err, &re) && re.Code == rpc.CodeTxRejected && ctx.Err() == nil {
				last = err
				time.Sleep(300 * time.Millisecond)
				continue
			}
			return rpc.SubmitResult{}, fmt.Errorf("%w: %s: %v", ErrSetup, what, err)
		}
		if res.Receipt != nil && !res.Receipt.OK() {
			return res, fmt.Errorf("%w: %s: failed in block %d: %s: %s", ErrSetup, what, res.Height, res.Receipt.Code, res.Receipt.Msg)
		}
		return res, nil
	}
	return rpc.SubmitResult{}, fmt.Errorf("%w: %s: %v", ErrSetup, what, last)
}

// wait waits until the transaction is in a finalized block and returns its
// receipt as submit with rpc.WaitInclusion would.
func (s *submitter) wait(ctx context.Context, what string, hash types.Hash) (rpc.SubmitResult, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	for {
		info, err := s.cl.Tx(ctx, hash)
		if err == nil {
			res := rpc.SubmitResult{Hash: hash, Status: "included", Height: info.Height, Receipt: &info.Receipt}
			if !info.Receipt.OK() {
				return res, fmt.Errorf("%w: %s: failed in block %d: %s: %s", ErrSetup, what, info.Height, info.Receipt.Code, info.Receipt.Msg)
			}
			return res, nil
		}
		var re *rpc.Error
		if !errors.As(err, &re) || re.Code != rpc.CodeNotFound {
			return rpc.SubmitResult{}, fmt.Errorf("%w: %s: %v", ErrSetup, what, err)
		}
		select {
		case <-ctx.Done():
			return rpc.SubmitResult{}, fmt.Errorf("%w: %s: not in a block after %s", ErrSetup, what, s.timeout)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// eventAttr finds attribute key of the first event typ of a receipt.
func eventAttr(res rpc.SubmitResult, typ, key string) (string, bool) {
	if res.Receipt == nil {
		return "", false
	}
	for _, e := range res.Receipt.Events {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attrs {
			if a.Key == key {
				return a.Value, true
			}
		}
	}
	return "", false
}

// SetupReport says what setup found already done (a resumed network) and
// what it did.
type SetupReport struct {
	NetUID       uint16
	RegisteredAt uint64
	// Done lists the steps taken, e.g. "registered subnet 1"; empty on a
	// fully resumed network.
	Done []string
}

// setupChain brings the chain to the localnet's state, skipping whatever
// the state shows is done already: the owner's subnet, every neuron's
// registration, each validator's stake and each miner's axon endpoint.
func setupChain(ctx context.Context, home string, m *Manifest, s *submitter, progress func(string)) (SetupReport, error) {
	var rep SetupReport
	note := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		rep.Done = append(rep.Done, msg)
		progress(msg)
	}
	ownerCold, _, err := loadKeys(home, m.Owner)
	if err != nil {
		return rep, err
	}
	netuid, regAt, found, err := findSubnet(ctx, s.cl, m)
	if err != nil {
		return rep, err
	}
	if !found {
		progress("registering the subnet")
		res, err := s.send(ctx, "register the subnet", ownerCold, &types.RegisterNetwork{Hotkey: m.Owner.HotAddr})
		if err != nil {
			return rep, err
		}
		v, ok := eventAttr(res, "network_registered", "netuid")
		n, perr := strconv.ParseUint(v, 10, 16)
		if !ok || perr != nil {
			return rep, fmt.Errorf("%w: the subnet registration's receipt names no netuid", ErrSetup)
		}
		netuid, regAt = uint16(n), res.Height
		note("registered subnet %d in block %d", netuid, res.Height)
	}
	rep.NetUID, rep.RegisteredAt = netuid, regAt

	mg, err := s.cl.SubnetMetagraph(ctx, netuid, nil)
	if err != nil {
		return rep, fmt.Errorf("%w: read the metagraph: %v", ErrSetup, err)
	}
	byHot := map[types.Address]int{}
	for i, n := range mg.Neurons {
		byHot[n.Hotkey] = i
	}
	neurons := append(append([]NeuronInfo{}, m.Miners...), m.Validators...)
	// Registrations go in first, one signer after the other to one node,
	// so the UIDs follow the manifest's order (miners, then validators);
	// they share blocks (max_regs_per_block is raised in the genesis).
	type pending struct {
		nr   NeuronInfo
		hash types.Hash
	}
	var regs []pending
	for _, nr := range neurons {
		if _, ok := byHot[nr.HotAddr]; ok {
			continue
		}
		cold, _, err := loadKeys(home, nr)
		if err != nil {
			return rep, err
		}
		res, err := s.submit(ctx, "register "+nr.Name, cold, &types.BurnedRegister{NetUID: netuid, Hotkey: nr.HotAddr}, rpc.WaitNone)
		if err != nil {
			return rep, err
		}
		regs = append(regs, pending{nr, res.Hash})
	}
	for _, p := range regs {
		res, err := s.wait(ctx, "register "+p.nr.Name, p.hash)
		if err != nil {
			return rep, err
		}
		uid, _ := eventAttr(res, "neuron_registered", "uid")
		note("registered %s as uid %s in block %d", p.nr.Name, uid, res.Height)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, nr := range neurons {
		wg.Go(func() {
			err := setupNeuron(ctx, home, s, netuid, nr, mg.Neurons, byHot, func(format string, args ...any) {
				mu.Lock()
				defer mu.Unlock()
				note(format, args...)
			})
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return rep, errors.Join(errs...)
}

// setupNeuron stakes a validator and publishes a miner's axon, each only if
// the chain does not show it done (registration came before).
func setupNeuron(ctx context.Context, home string, s *submitter, netuid uint16, nr NeuronInfo, neurons []subnet.NeuronInfo, byHot map[types.Address]int, note func(string, ...any)) error {
	cold, hot, err := loadKeys(home, nr)
	if err != nil {
		return err
	}
	idx, registered := byHot[nr.HotAddr]
	if nr.Stake > 0 {
		info, err := s.cl.StakeGet(ctx, nr.Coldkey, nil)
		if err != nil {
			return fmt.Errorf("%w: read the stake of %s: %v", ErrSetup, nr.Name, err)
		}
		var have uint64
		for _, st := range info.Stakes {
			if st.Hotkey == nr.HotAddr {
				have = uint64(st.Amount)
			}
		}
		if have < nr.Stake {
			if _, err := s.send(ctx, "stake "+nr.Name, cold, &types.AddStake{Hotkey: nr.HotAddr, Amount: nr.Stake - have}); err != nil {
				return err
			}
			note("staked %d TAO behind %s", (nr.Stake-have)/1e9, nr.Name)
		}
	}
	if nr.Axon != "" {
		if registered && neurons[idx].Axon != nil && neurons[idx].Axon.Endpoint == nr.Axon {
			return nil
		}
		host, port, err := net.SplitHostPort(nr.Axon)
		if err != nil {
			return fmt.Errorf("%w: %s axon %q: %v", ErrSetup, nr.Name, nr.Axon, err)
		}
		p, _ := strconv.ParseUint(port, 10, 16)
		call := &types.ServeAxon{NetUID: netuid, Version: 1, IP: net.ParseIP(host).To4(), Port: uint16(p), IPType: types.IPv4, Protocol: 4}
		if _, err := s.send(ctx, "publish the axon of "+nr.Name, hot, call); err != nil {
			return err
		}
		note("published the axon of %s at %s", nr.Name, nr.Axon)
	}
	return nil
}

// findSubnet finds the subnet the owner wallet registered, if any.
func findSubnet(ctx context.Context, cl *rpc.Client, m *Manifest) (netuid uint16, registeredAt uint64, ok bool, err error) {
	subs, err := cl.SubnetList(ctx, nil)
	if err != nil {
		return 0, 0, false, fmt.Errorf("%w: list the subnets: %v", ErrSetup, err)
	}
	for _, sn := range subs {
		if sn.NetUID != 0 && sn.Owner == m.Owner.Coldkey && sn.OwnerHotkey == m.Owner.HotAddr {
			return sn.NetUID, sn.RegisteredAt, true, nil
		}
	}
	return 0, 0, false, nil
}
