package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/internal/textsafe"
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
			outputs, err := createOutputs([]namedPath{{kind: "report", path: cmpOrDash(output)}}, atomicfile.Options{})
			if err != nil {
				return err
			}
			defer abortOutputs(outputs)
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
			if outputs[0] == nil {
				_, err := a.out.Write(buf.Bytes())
				return err
			}
			if _, err := outputs[0].Write(buf.Bytes()); err != nil {
				return inputError(fmt.Errorf("write report %q: %w", output, err))
			}
			return commitOutputs(outputs)
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
	in := &report.Input{Status: st, Catalog: l.Catalog(), Scope: scope, Records: recs, History: history,
		Generated: time.Now().UTC(), Tool: "sdlkit " + readBuildVersion().Version}
	switch {
	case st.Version == "":
		a.warnf("the ledger holds no release of %s yet: the report says so", textsafe.Escape(st.Product))
	case !in.HasReleaseRecords():
		a.warnf("no records for release %q of %s: the report says so", textsafe.Escape(st.Version), textsafe.Escape(st.Product))
	}
	if cp, err := l.LatestCheckpoint(); err == nil && cp != nil {
		in.Checkpoint = &cp.Checkpoint
	}
	in.Findings = scanFindings(a, l, recs, st.Version)
	return in, nil
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

func newLedgerExportCmd(a *app, opts *ledgerOptions) *cobra.Command {
	var version, product string
	var so signerOptions
	cmd := &cobra.Command{
		Use:   "export [--version V] [--product P] DIR",
		Short: "Write a release's audit package: records, evidence, report, catalog, scope, checkpoint",
		Long: `export writes what an assessor receives for one release into DIR (which must
not exist, or be empty): the release's records (and those tied to no
release) as of the newest checkpoint, their evidence files, the report
(report.html, linking every evidence row to its file), the catalog and the
SM-5 scope in force, the checkpoint bundle, proof.json (the git objects
from the checkpoint's commit down to every exported file) and export.json
(the digest of every file). With --key or --keyless, export.json is signed
too (export.json.sigstore.json), which binds the report and the catalog;
the checkpoint binds the records, evidence and scope in any case.

'sdlkit ledger verify --export DIR' checks the package offline, without the
repository. Records made after the newest checkpoint cannot be proven and
are left out, with a warning: checkpoint first.`,
		Example: `  sdlkit ledger checkpoint --key ledger.key
  sdlkit ledger export --version 1.4.0 --key ledger.key audit-1.4.0
  sdlkit ledger verify --export audit-1.4.0 --key ledger.pub`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if err := ledger.CheckExportDir(args[0]); err != nil {
				return inputError(err)
			}
			if so.keyless && !cmd.Flags().Changed("tlog-upload") {
				so.tlogUpload = true
			}
			l, err := opts.open(ctx, a)
			if err != nil {
				return err
			}
			var blobSigner ledger.BlobSigner
			if so.key != "" || so.keyless {
				s, err := so.signer(ctx, a)
				if err != nil {
					return err
				}
				blobSigner = sigstoreSealer{signer: s, opts: so.signOptions()}
			}
			in, err := reportInput(ctx, a, l, product, version)
			if err != nil {
				return err
			}
			in.EvidenceLinks = true
			var page bytes.Buffer
			if err := report.HTML(&page, *in); err != nil {
				return err
			}
			exp, err := l.Export(ctx, args[0], ledger.ExportOptions{Product: in.Status.Product, Version: in.Status.Version, Report: page.Bytes(), Now: time.Now(), Signer: blobSigner})
			if errors.Is(err, ledger.ErrNoCheckpoint) {
				return inputError(err, "an export proves its records against a signed checkpoint: sdlkit ledger checkpoint --key KEY")
			}
			if err != nil {
				return inputError(err)
			}
			if exp.Later > 0 {
				a.warnf("%d record(s) of %s %s came after checkpoint %d and are not in the package: run 'sdlkit ledger checkpoint' and export again", exp.Later, exp.Product, exp.Version, exp.Checkpoint)
			}
			a.infof("exported %d records and %d files of %s %s (checkpoint %d) to %s", len(exp.Records), len(exp.Files), textsafe.Escape(exp.Product), textsafe.Escape(exp.Version), exp.Checkpoint, textsafe.Escape(args[0]))
			return nil
		},
	}
	cmd.Flags().StringVar(&version, "version", "", "the release (default: the newest recorded)")
	cmd.Flags().StringVar(&product, "product", "", "the product (default: the ledger's)")
	so.registerOptional(cmd)
	return cmd
}
