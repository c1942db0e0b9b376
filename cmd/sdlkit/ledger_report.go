package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/practices/ledger"
	"github.com/sdlkit/sdlkit/practices/ledger/report"
	"github.com/sdlkit/sdlkit/vulnmgmt/scan"
)

// maxScanEvidence bounds the scan result a report reads its findings from.
const maxScanEvidence = 256 << 20

func newLedgerReportCmd(a *app, opts *ledgerOptions) *cobra.Command {
	var version, product, format, output string
	cmd := &cobra.Command{
		Use:   "report [--version V] [--product P] [--format html|markdown] [-o FILE]",
		Short: "The assessor's view of a release: one self-contained HTML file, or Markdown",
		Long: `report renders what the ledger holds for one release: a summary (product,
release, ledger head and checkpoint), the coverage and estimated maturity per
practice with the rule that gave it, every requirement with its evidence
(kind, time, actor, digest, summary, facts), staleness and out-of-scope
rationale, a timeline of evidence per practice over the releases, and the
open findings of the release's newest scan with their VEX decisions.

The HTML file is self-contained (CSS and SVG inline, no script, nothing
fetched when it is opened) and prints cleanly. --format markdown writes the
summary, coverage table and open items, for a pull request or
$GITHUB_STEP_SUMMARY. A release with no records gives a report that says
so, with a warning.`,
		Example: `  sdlkit ledger report --version 1.4.0 -o report.html
  sdlkit ledger report --format markdown >> "$GITHUB_STEP_SUMMARY"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "html", "markdown"); err != nil {
				return err
			}
			ctx := cmd.Context()
			l, err := opts.open(ctx, a)
			if err != nil {
				return err
			}
			in, err := reportInput(ctx, a, l, product, version)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if format == "markdown" {
				err = report.Markdown(&buf, *in)
			} else {
				err = report.HTML(&buf, *in)
			}
			if err != nil {
				return err
			}
			if output == "" || output == "-" {
				_, err := a.out.Write(buf.Bytes())
				return err
			}
			if err := atomicfile.WriteFile(output, buf.Bytes()); err != nil {
				return inputError(fmt.Errorf("write report %q: %w", output, err))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&version, "version", "", "the release (default: the newest recorded)")
	cmd.Flags().StringVar(&product, "product", "", "the product (default: the ledger's)")
	cmd.Flags().StringVarP(&format, "format", "f", "html", "output format: html or markdown")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the report to `FILE` (default: stdout)")
	return cmd
}

// reportInput gathers what a report shows: the status, the records in
// force for the release, the product's history, the newest checkpoint and
// the findings of the release's newest scan.
func reportInput(ctx context.Context, a *app, l *ledger.Ledger, product, version string) (*report.Input, error) {
	st, err := l.Status(ctx, ledger.StatusOptions{Product: product, Version: version})
	if err != nil {
		return nil, ledgerError(err)
	}
	scope, err := l.Scope()
	if err != nil {
		return nil, ledgerError(err)
	}
	all, _, err := l.Summaries(ctx)
	if err != nil {
		return nil, ledgerError(err)
	}
	var history, inForce []ledger.Summary
	for _, s := range all {
		if s.Product != st.Product {
			continue
		}
		history = append(history, s)
		if s.Version == st.Version || s.Version == "" {
			inForce = append(inForce, s)
		}
	}
	recs, err := l.Records(ctx, inForce)
	if err != nil {
		return nil, ledgerError(err)
	}
	if st.Version == "" || !hasVersion(recs, st.Version) {
		a.warnf("no records for release %q of %s: the report says so", st.Version, st.Product)
	}
	in := &report.Input{Status: st, Catalog: l.Catalog(), Scope: scope, Records: recs, History: history,
		Generated: time.Now().UTC(), Tool: "sdlkit " + readBuildVersion().Version}
	if cp, err := l.LatestCheckpoint(); err == nil && cp != nil {
		in.Checkpoint = &cp.Checkpoint
	}
	in.Findings = scanFindings(a, l, recs, st.Version)
	return in, nil
}

func hasVersion(recs []*ledger.Record, v string) bool {
	for _, r := range recs {
		if r.Version == v {
			return true
		}
	}
	return false
}

// scanFindings reads the findings of the release's newest scan record; a
// scan result it cannot read is a warning, not a failed report.
func scanFindings(a *app, l *ledger.Ledger, recs []*ledger.Record, version string) []report.Finding {
	var newest *ledger.Record
	for _, r := range recs {
		if r.Kind == "vuln-scan" && r.Version == version && (newest == nil || r.Time.After(newest.Time)) {
			newest = r
		}
	}
	if newest == nil {
		return nil
	}
	for _, f := range newest.Evidence {
		if f.MediaType != "application/json" || !strings.HasSuffix(f.Name, ".json") {
			continue
		}
		data, err := l.ReadEvidence(f.Digest, maxScanEvidence)
		var res scan.Result
		if err == nil {
			err = json.Unmarshal(data, &res)
		}
		if err != nil || !strings.HasPrefix(res.Schema, "https://sdlkit.dev/scan-result/") {
			a.warnf("record %s: evidence %s is not a readable scan result: findings left out", newest.ID, f.Name)
			continue
		}
		return reportFindings(res.Findings)
	}
	return nil
}

func reportFindings(fs []scan.Finding) []report.Finding {
	out := make([]report.Finding, 0, len(fs))
	for _, f := range fs {
		rf := report.Finding{ID: f.ID, Severity: string(f.Severity.Rating), Component: f.Component.Name, Version: f.Component.Version,
			Fixed: strings.Join(f.Fixed, ", "), Suppressed: f.Suppressed}
		if f.Severity.Score > 0 {
			rf.Score = fmt.Sprintf("%.1f", f.Severity.Score)
		}
		if f.VEX != nil {
			rf.VEX = strings.TrimSuffix(string(f.VEX.Status)+": "+string(f.VEX.Justification)+f.VEX.ActionStatement, ": ")
		}
		out = append(out, rf)
	}
	return out
}
