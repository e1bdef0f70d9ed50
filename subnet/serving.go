package subnet

import (
	"fmt"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

// validIP reports whether ip (4 or 16 bytes) can be served. Refused: the
// unspecified address (0.0.0.0, ::), IPv4 broadcast 255.255.255.255,
// multicast (224.0.0.0/4, ff00::/8), IPv4 reserved 240.0.0.0/4, and the
// all-ones IPv6 address. Loopback (127.0.0.0/8, ::1) is allowed so that
// localnets can serve on one machine; subtensor refuses 127.0.0.1.
// (Ring 2 may not import net, so the checks are spelled out.)
func validIP(ipType uint8, ip []byte) bool {
	allZero, allOnes := true, true
	for _, b := range ip {
		allZero = allZero && b == 0
		allOnes = allOnes && b == 0xff
	}
	if allZero || allOnes {
		return false
	}
	switch ipType {
	case types.IPv4:
		return ip[0] < 224 // 224/4 multicast, 240/4 reserved and broadcast
	case types.IPv6:
		return ip[0] != 0xff
	}
	return false
}

// serveAxon publishes the signer hotkey's endpoint on a subnet where it is
// registered (subtensor accepts any registered hotkey on any netuid; here
// the hotkey must hold a UID on that subnet). Rate-limited by the subnet's
// serving_rate_limit (0: no limit) since the hotkey's previous serve there.
func (m *Module) serveAxon(ctx *chain.Context, st store, signer types.Address, c *types.ServeAxon) error {
	if err := c.Validate(); err != nil {
		return ErrInvalidIPType.With("%v", err)
	}
	if !validIP(c.IPType, c.IP) {
		return ErrInvalidIPAddress.With("%s cannot be served", formatIP(c.IPType, c.IP))
	}
	if c.Port == 0 {
		return ErrInvalidPort
	}
	_, hp, err := st.mustSubnet(c.NetUID)
	if err != nil {
		return err
	}
	if _, ok, err := st.uid(c.NetUID, signer); err != nil {
		return err
	} else if !ok {
		return ErrHotkeyNotRegistered.With("hotkey %s has no UID on subnet %d", signer.Hex(), c.NetUID)
	}
	now := ctx.Header.Height
	prev, ok, err := st.axon(c.NetUID, signer)
	if err != nil {
		return err
	}
	if ok && hp.ServingRateLimit > 0 && now-prev.Block < hp.ServingRateLimit {
		return ErrServingRateLimited.RetryAfter(prev.Block+hp.ServingRateLimit, "axon of %s on subnet %d served at block %d", signer.Hex(), c.NetUID, prev.Block)
	}
	ax := Axon{Block: now, Version: c.Version, IP: append([]byte(nil), c.IP...), Port: c.Port, IPType: c.IPType, Protocol: c.Protocol}
	if err := st.put(axonKey(c.NetUID, signer), &ax); err != nil {
		return err
	}
	ctx.Emit("axon_served", "netuid", fmt.Sprint(c.NetUID), "hotkey", signer.Hex(), "endpoint", formatEndpoint(&ax))
	return nil
}

const hexDigits = "0123456789abcdef"

// formatIP renders an address without package net: dotted IPv4, or IPv6 as
// eight uncompressed hex groups.
func formatIP(ipType uint8, ip []byte) string {
	if ipType == types.IPv4 && len(ip) == 4 {
		return fmt.Sprintf("%d.%d.%d.%d", ip[0], ip[1], ip[2], ip[3])
	}
	if len(ip) != 16 {
		return fmt.Sprintf("%x", ip)
	}
	out := make([]byte, 0, 39)
	for i := 0; i < 16; i += 2 {
		if i > 0 {
			out = append(out, ':')
		}
		g := uint16(ip[i])<<8 | uint16(ip[i+1])
		started := false
		for shift := 12; shift >= 0; shift -= 4 {
			d := (g >> shift) & 0xf
			if d != 0 || started || shift == 0 {
				out = append(out, hexDigits[d])
				started = true
			}
		}
	}
	return string(out)
}

func formatEndpoint(a *Axon) string {
	if a.IPType == types.IPv6 {
		return fmt.Sprintf("[%s]:%d", formatIP(a.IPType, a.IP), a.Port)
	}
	return fmt.Sprintf("%s:%d", formatIP(a.IPType, a.IP), a.Port)
}
