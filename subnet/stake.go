package subnet

import (
	"fmt"
	"math/bits"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

// mulDiv returns floor(a*b/c) for c > 0 and a*b/c < 2^64 (callers ensure
// b <= c, so the quotient is at most a).
func mulDiv(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	q, _ := bits.Div64(hi, lo, c)
	return q
}

// addStakeTo moves amount (already taken from a balance or minted) into
// stake of ck behind hk.
func addStakeTo(st store, hk, ck types.Address, rec *Hotkey, amount uint64) error {
	old, err := st.stake(hk, ck)
	if err != nil {
		return err
	}
	if old+amount < old || rec.TotalStake+amount < rec.TotalStake {
		return chain.ErrOverflow.With("stake behind %s would overflow", hk.Hex())
	}
	if err := st.put(stakeKey(hk, ck), old+amount); err != nil {
		return err
	}
	if old == 0 {
		if err := st.w.Set(stakeIdxKey(ck, hk), []byte{}); err != nil {
			return err
		}
	}
	rec.TotalStake += amount
	return st.put(hotkeyKey(hk), rec)
}

// addStake: the signer coldkey stakes Amount of its free balance behind
// Hotkey, which must have been registered once (so it has an owner).
// Anyone may nominate any hotkey. Amount must be at least Params.MinStake.
func (m *Module) addStake(ctx *chain.Context, st store, signer types.Address, c *types.AddStake) error {
	p, err := st.params()
	if err != nil {
		return err
	}
	if c.Amount < uint64(p.MinStake) {
		return ErrStakeTooLow.With("stake %d rao, minimum %d rao", c.Amount, uint64(p.MinStake))
	}
	rec, ok, err := st.hotkey(c.Hotkey)
	if err != nil {
		return err
	}
	if !ok {
		return ErrHotkeyNotFound.With("hotkey %s has never been registered", c.Hotkey.Hex())
	}
	if err := ctx.Bank.Debit(signer, c.Amount); err != nil {
		return err
	}
	if err := addStakeTo(st, c.Hotkey, signer, &rec, c.Amount); err != nil {
		return err
	}
	ctx.Emit("stake_added", "coldkey", signer.Hex(), "hotkey", c.Hotkey.Hex(), "amount", fmt.Sprint(c.Amount))
	return nil
}

// removeStake: the signer takes Amount of its stake behind Hotkey back to
// its free balance. If that would leave less than Params.MinStake (but not
// zero) behind the hotkey, the remainder is unstaked too (subtensor's
// clear_small_nomination); the event reports the amount actually moved.
func (m *Module) removeStake(ctx *chain.Context, st store, signer types.Address, c *types.RemoveStake) error {
	if c.Amount == 0 {
		return chain.ErrZeroAmount.With("nothing to unstake")
	}
	p, err := st.params()
	if err != nil {
		return err
	}
	rec, ok, err := st.hotkey(c.Hotkey)
	if err != nil {
		return err
	}
	if !ok {
		return ErrHotkeyNotFound.With("hotkey %s has never been registered", c.Hotkey.Hex())
	}
	cur, err := st.stake(c.Hotkey, signer)
	if err != nil {
		return err
	}
	if c.Amount > cur {
		return ErrNotEnoughStake.With("%s has %d rao staked behind %s, asked %d", signer.Hex(), cur, c.Hotkey.Hex(), c.Amount)
	}
	amount := c.Amount
	if rest := cur - amount; rest > 0 && rest < uint64(p.MinStake) {
		amount = cur
	}
	if amount == cur {
		if err := st.del(stakeKey(c.Hotkey, signer)); err != nil {
			return err
		}
		if err := st.del(stakeIdxKey(signer, c.Hotkey)); err != nil {
			return err
		}
	} else if err := st.put(stakeKey(c.Hotkey, signer), cur-amount); err != nil {
		return err
	}
	if rec.TotalStake < amount {
		return fmt.Errorf("%w: total stake of %s below a coldkey's stake", chain.ErrInvariant, c.Hotkey.Hex())
	}
	rec.TotalStake -= amount
	if err := st.put(hotkeyKey(c.Hotkey), &rec); err != nil {
		return err
	}
	if err := ctx.Bank.Credit(signer, amount); err != nil {
		return err
	}
	ctx.Emit("stake_removed", "coldkey", signer.Hex(), "hotkey", c.Hotkey.Hex(), "amount", fmt.Sprint(amount))
	return nil
}

// setDelegateTake: the hotkey's owner sets its take within
// Params.MinTake..MaxTake (subtensor: 0%..18%). Decreases apply at once;
// an increase needs Params.TakeRateLimit blocks since the previous increase
// (subtensor's tx_delegate_take_rate_limit: the limit is exceeded while
// now - last <= limit).
func (m *Module) setDelegateTake(ctx *chain.Context, st store, signer types.Address, c *types.SetDelegateTake) error {
	p, err := st.params()
	if err != nil {
		return err
	}
	rec, ok, err := st.hotkey(c.Hotkey)
	if err != nil {
		return err
	}
	if !ok {
		return ErrHotkeyNotFound.With("hotkey %s has never been registered", c.Hotkey.Hex())
	}
	if rec.Owner != signer {
		return ErrNotHotkeyOwner.With("hotkey %s is owned by %s", c.Hotkey.Hex(), rec.Owner.Hex())
	}
	if c.Take > p.MaxTake {
		return ErrTakeTooHigh.With("take %d, maximum %d", c.Take, p.MaxTake)
	}
	if c.Take < p.MinTake {
		return ErrTakeTooLow.With("take %d, minimum %d", c.Take, p.MinTake)
	}
	if c.Take == rec.Take {
		return ErrTakeUnchanged.With("take is already %d", c.Take)
	}
	now := ctx.Header.Height
	if c.Take > rec.Take {
		if rec.LastTakeIncrease != 0 && now-rec.LastTakeIncrease <= p.TakeRateLimit {
			return ErrTakeRateLimited.RetryAfter(rec.LastTakeIncrease+p.TakeRateLimit+1, "take of %s last increased at block %d", c.Hotkey.Hex(), rec.LastTakeIncrease)
		}
		rec.LastTakeIncrease = now
	}
	rec.Take = c.Take
	if err := st.put(hotkeyKey(c.Hotkey), &rec); err != nil {
		return err
	}
	ctx.Emit("delegate_take_set", "hotkey", c.Hotkey.Hex(), "take", fmt.Sprint(c.Take))
	return nil
}
