package localnet

import (
	"fmt"
	"strings"
	"time"

	"github.com/yumachain/yuma/internal/tao"
)

// ANSI sequences of the live view.
const (
	ansiHome      = "\x1b[H"
	ansiClearLine = "\x1b[K"
	ansiClearDown = "\x1b[J"
	ansiBold      = "\x1b[1m"
	ansiRed       = "\x1b[31m"
	ansiReset     = "\x1b[0m"
)

// taoText shows rao as TAO the way the CLI does: all 9 decimals
// (internal/tao), then the unit.
func taoText(rao uint64) string { return tao.Format(rao) + " TAO" }

// frac shows a u16 fraction of 65535 with 4 decimals.
func frac(v uint16) string { return fmt.Sprintf("%.4f", float64(v)/65535) }

func shortAddr(s string) string {
	if len(s) <= 12 {
		return s
	}
	return s[:6] + "…" + s[len(s)-4:]
}

func dur(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
}

// Header is what the view prints once, before the live part: where every
// process's RPC, metrics and log are, and the dev-key warning.
func Header(home string, m *Manifest, temporary bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "yuma localnet %q: %d nodes, %d miners, %d validators, tempo %d\n", m.ChainID, len(m.Nodes), len(m.Miners), len(m.Validators), m.Tempo)
	where := home
	if temporary {
		where += "  (temporary: removed on exit; use --home DIR to keep it)"
	}
	fmt.Fprintf(&b, "home %s\n\n", where)
	fmt.Fprintf(&b, "%-11s %-28s %-32s %s\n", "PROCESS", "RPC", "METRICS", "LOG")
	for _, n := range m.Nodes {
		met := "-"
		if n.Metrics != "" {
			met = "http://" + n.Metrics + "/metrics"
		}
		fmt.Fprintf(&b, "%-11s %-28s %-32s %s\n", n.Name, "http://"+n.RPC, met, LogsDir+"/"+n.Name+".log")
	}
	for _, nr := range append(append([]NeuronInfo{}, m.Miners...), m.Validators...) {
		what := "axon http://" + nr.Axon
		if nr.Role == RoleValidator {
			what = "-"
		}
		met := "-"
		if nr.Metrics != "" {
			met = "http://" + nr.Metrics + "/metrics"
		}
		fmt.Fprintf(&b, "%-11s %-28s %-32s %s\n", nr.Name, what, met, LogsDir+"/"+nr.Name+".log")
	}
	fmt.Fprintf(&b, "\n!! DEV KEYS ONLY: wallets in %s/%s; every coldkey's password is in %s/%s (%q).\n",
		home, WalletsDir, home, PasswordFile, DevPassword)
	b.WriteString("!! Hotkeys are unencrypted. Never send real funds to these keys.\n")
	fmt.Fprintf(&b, "Point the CLI at it:  yuma metagraph --rpc http://%s --netuid N\n", m.Nodes[0].RPC)
	fmt.Fprintf(&b, "                      yuma wallet list --wallet-path %s/%s\n", home, WalletsDir)
	return b.String()
}

// RenderLive draws the whole live view for a terminal: it moves the cursor
// home, rewrites every line and clears what is left below. first clears
// the screen before the first frame.
func RenderLive(s Snapshot, exitIn time.Duration, first bool) string {
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	stop := "Ctrl-C stops everything"
	if exitIn > 0 {
		stop = fmt.Sprintf("stops in %s (or Ctrl-C)", dur(exitIn))
	}
	add("%syuma localnet %q%s  up %s  finalized height %d  %s", ansiBold, s.ChainID, ansiReset, dur(s.Uptime), s.Head, stop)
	add("home %s  (logs: %s/NAME.log)", s.Home, LogsDir)
	add("%sDEV KEYS ONLY%s: every coldkey's password is in %s/%s, hotkeys are unencrypted; never use these keys elsewhere", ansiRed, ansiReset, s.Home, PasswordFile)
	add("")
	add("%-8s %-7s %7s %7s %5s  %-12s  %-23s %s", "NODE", "PID", "HEIGHT", "FINAL", "PEERS", "APP HASH", "RPC", "METRICS")
	for _, n := range s.Nodes {
		state := ""
		switch {
		case !n.Alive && n.PID != 0:
			state = fmt.Sprintf("  %sDIED (%s)%s", ansiRed, n.Exit, ansiReset)
		case n.Alive && !n.Answering:
			state = "  (not answering)"
		}
		add("%-8s %-7d %7d %7d %5d  %-12s  %-23s %s%s", n.Name, n.PID, n.Height, n.Finalized, n.Peers, shortAddr(n.AppHash.Hex()), n.RPC, dash(n.Metrics), state)
	}
	add("")
	add("%-11s %-7s %-8s %-30s %s", "PROCESS", "PID", "STATE", "DETAIL", "METRICS")
	for _, p := range s.Procs {
		state := "running"
		if !p.Alive {
			state = ansiRed + "DIED" + ansiReset
			if p.PID == 0 {
				state = "waiting"
			}
		}
		line := fmt.Sprintf("%-11s %-7d %-8s %-30s %s", p.Name, p.PID, state, p.Detail, dash(p.Metrics))
		if !p.Alive && p.PID != 0 {
			line += "  (" + p.Exit + ", see " + LogsDir + "/" + p.Name + ".log)"
		}
		lines = append(lines, line)
	}
	add("")
	lines = append(lines, epochLines(s)...)
	var b strings.Builder
	if first {
		b.WriteString("\x1b[2J")
	}
	b.WriteString(ansiHome)
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString(ansiClearLine + "\n")
	}
	b.WriteString(ansiClearDown)
	return b.String()
}

// epochLines is the subnet part: the epoch countdown and the metagraph.
func epochLines(s Snapshot) []string {
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	if s.NetUID == 0 {
		add("subnet: setting up (registering the subnet and its neurons)...")
		return lines
	}
	add("subnet %d  tempo %d  next epoch at block %d (in %d blocks)  epochs completed %d  issuance %s",
		s.NetUID, s.Tempo, s.NextEpoch, s.BlocksLeft, s.Epochs, taoText(s.Issuance))
	if len(s.Metagraph) == 0 {
		return lines
	}
	add("metagraph at block %d (refreshed every epoch):", s.MetagraphBlock)
	add("%4s  %-11s %-8s %-13s %20s %9s %9s %9s %20s", "UID", "NAME", "QUALITY", "HOTKEY", "STAKE", "INCENTIVE", "DIVIDENDS", "TRUST", "EMISSION")
	for _, r := range s.Metagraph {
		name := r.Name
		if name == "" {
			name = "?"
		}
		q := r.Quality
		if q == "" {
			q = "-"
		}
		add("%4d  %-11s %-8s %-13s %20s %9s %9s %9s %20s", r.UID, name, q, shortAddr(r.Hotkey.Hex()), taoText(r.Stake),
			frac(r.Incentive), frac(r.Dividends), frac(r.Trust), taoText(r.Emission))
	}
	return lines
}

// BlockLine is the one-line progress report of the plain (non-terminal)
// output, printed once per new block.
func BlockLine(s Snapshot) string {
	var hs []string
	alive := 0
	for _, n := range s.Nodes {
		switch {
		case !n.Alive && n.PID != 0:
			hs = append(hs, n.Name+"=dead")
		case !n.Answering:
			hs = append(hs, n.Name+"=?")
		default:
			alive++
			hs = append(hs, fmt.Sprintf("%s=%d/%dp", n.Name, n.Finalized, n.Peers))
		}
	}
	line := fmt.Sprintf("%s block %d  nodes %d/%d [%s]", dur(s.Uptime), s.Head, alive, len(s.Nodes), strings.Join(hs, " "))
	if s.NetUID != 0 {
		line += fmt.Sprintf("  subnet %d epoch in %d (at %d)  issuance %s", s.NetUID, s.BlocksLeft, s.NextEpoch, taoText(s.Issuance))
	}
	return line
}

// EpochLines is the plain output after an epoch: the metagraph.
func EpochLines(s Snapshot) string {
	return strings.Join(epochLines(s), "\n") + "\n"
}
