package sim

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteTable prints one line per epoch: each validator's dividends and
// each miner's incentive (as fractions), then the emission totals.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	var head []string
	head = append(head, "epoch", "block")
	for _, nr := range r.Neurons {
		kind := "inc"
		if nr.Role == "validator" {
			kind = "div"
		}
		head = append(head, nr.Name+" "+kind)
	}
	fmt.Fprintf(tw, "%s\t\n", strings.Join(head, "\t"))
	for _, e := range r.Epochs {
		cells := []string{strconv.Itoa(e.Epoch), strconv.FormatUint(e.Block, 10)}
		for _, nr := range r.Neurons {
			x := e.Incentive[nr.UID]
			if nr.Role == "validator" {
				x = e.Dividends[nr.UID]
			}
			cell := fmt.Sprintf("%.4f", x)
			if !e.Active[nr.UID] && nr.Role == "validator" {
				cell += "*"
			}
			cells = append(cells, cell)
		}
		fmt.Fprintf(tw, "%s\t\n", strings.Join(cells, "\t"))
	}
	total := []string{"total", "TAO"}
	for _, nr := range r.Neurons {
		total = append(total, fmt.Sprintf("%.3f", float64(r.Total[nr.UID])/1e9))
	}
	fmt.Fprintf(tw, "%s\t\n", strings.Join(total, "\t"))
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "scenario %q, seed %d; div = dividends share, inc = incentive share, * = validator inactive\n", r.Scenario, r.Seed)
	return err
}

// WriteCSV prints one row per epoch and UID, for plotting:
// epoch,block,uid,name,role,behaviour,active,incentive,dividends,consensus,emission_rao.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"epoch", "block", "uid", "name", "role", "behaviour", "active", "incentive", "dividends", "consensus", "emission_rao"}); err != nil {
		return err
	}
	for _, e := range r.Epochs {
		for _, nr := range r.Neurons {
			i := nr.UID
			rec := []string{
				strconv.Itoa(e.Epoch), strconv.FormatUint(e.Block, 10), strconv.Itoa(i), nr.Name, nr.Role, nr.Behaviour,
				strconv.FormatBool(e.Active[i]),
				strconv.FormatFloat(e.Incentive[i], 'g', 10, 64),
				strconv.FormatFloat(e.Dividends[i], 'g', 10, 64),
				strconv.FormatFloat(e.Consensus[i], 'g', 10, 64),
				strconv.FormatUint(e.Emission[i], 10),
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
