package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/internal/project"
	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/internal/textsafe"
	"github.com/sdlkit/sdlkit/practices/ledger"
	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/format"
	"github.com/sdlkit/sdlkit/sbom/generate"
	"github.com/sdlkit/sdlkit/vulnmgmt/advisories"
	"github.com/sdlkit/sdlkit/vulnmgmt/report"
	"github.com/sdlkit/sdlkit/vulnmgmt/scan"
	"github.com/sdlkit/sdlkit/vulnmgmt/severity"
	"github.com/sdlkit/sdlkit/vulnmgmt/vex"
)

// scanOptions are the flags of 'sdlkit scan'.
type scanOptions struct {
	target      string
	db          dbOptions
	vexFiles    []string
	format      string
	failOn      string
	output      string
	maxAge      string
	failOnStale bool
	rec         recordOptions
	includeDev  bool
}

func newScanCmd(a *app) *cobra.Command {
	var opts scanOptions
	cmd := &cobra.Command{
		Use:   "scan TARGET",
		Short: "Check an SBOM, a source tree or a Go binary against the offline OSV advisory store",
		Long: `Scan checks every component of TARGET against the advisories of the offline
store ('sdlkit advisories'): TARGET is a CycloneDX or SPDX SBOM (sdlkit's or
another tool's), a source directory, a lockfile or a Go binary (whose SBOM
is made on the fly, as 'sdlkit sbom generate' makes it: development
dependencies left out, unless --include-dev).

A component is affected when an advisory's ranges or version list hold its
version, ordered by its ecosystem's rules (osv-scalibr's semantic package);
the advisories that name one flaw (CVE, GHSA, GO-, PYSEC-, RUSTSEC- ids and
aliases) make one finding. Severity is the CVSS base score and rating of the
advisories' vectors (v4.0 or v3.x), else the database's own severity word.

--vex FILE applies triage decisions from OpenVEX, CycloneDX VEX (or a BOM's
vulnerabilities) and CSAF documents: not_affected and fixed suppress a
finding, which stays in the JSON result as suppressed, with the statement.

A scan never reports a silent zero: components without version, and
ecosystems the store holds no advisories for, are named on stderr and in the
result. Every result records the store's digest and newest record: what the
scan was checked against. --max-age warns when that is older than the age
given (7d, 24h); --fail-on-stale fails instead.

Exit status: 1 when an unsuppressed finding is rated --fail-on or higher
(or the store is stale with --fail-on-stale), 0 otherwise, 2 on input errors.`,
		Example: `  sdlkit scan dist/app.cdx.json
  sdlkit scan . --fail-on high --format sarif -o scan.sarif
  sdlkit scan dist/app --vex triage.vex.json --format markdown >> $GITHUB_STEP_SUMMARY
  sdlkit scan dist/app.cdx.json --format cyclonedx -o dist/app.vdr.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.target = args[0]
			return runScan(cmd.Context(), a, opts)
		},
	}
	f := cmd.Flags()
	opts.db.register(cmd)
	f.StringArrayVar(&opts.vexFiles, "vex", nil, "apply the statements of an OpenVEX, CycloneDX or CSAF `FILE` (repeatable)")
	f.StringVar(&opts.format, "format", "table", "output format: "+strings.Join(report.Formats, ", "))
	f.StringVar(&opts.failOn, "fail-on", "", "exit 1 when an unsuppressed finding is rated this or higher: critical, high, medium or low")
	f.StringVarP(&opts.output, "output", "o", "", "write the result to `FILE` (default: stdout)")
	f.StringVar(&opts.maxAge, "max-age", "", "warn when the store's newest advisory is older than this (e.g. 7d, 36h)")
	f.BoolVar(&opts.failOnStale, "fail-on-stale", false, "with --max-age: exit 1 instead of warning")
	opts.rec.register(cmd)
	f.BoolVar(&opts.includeDev, "include-dev", false, "with a directory or lockfile TARGET: check development dependencies too")
	return cmd
}

func runScan(ctx context.Context, a *app, opts scanOptions) error {
	if err := checkFormat(opts.format, report.Formats...); err != nil {
		return err
	}
	threshold, maxAge, err := opts.limits()
	if err != nil {
		return err
	}
	inputs := []namedPath{{kind: "target", path: opts.target}}
	for _, v := range opts.vexFiles {
		inputs = append(inputs, namedPath{kind: "vex", path: v})
	}
	if dir, err := opts.db.resolve(a); err == nil {
		inputs = append(inputs, namedPath{kind: "advisory store", path: advisories.Path(dir)})
	}
	if err := checkOutputs([]namedPath{{kind: "scan result", path: cmpOrDash(opts.output)}}, inputs); err != nil {
		return err
	}
	statements, err := readVEX(ctx, opts.vexFiles)
	if err != nil {
		return err
	}
	l, err := opts.rec.open(ctx, a)
	if err != nil {
		return err
	}
	store, err := opts.db.open(a)
	if err != nil {
		return err
	}
	defer store.Close()
	outputs, err := createOutputs([]namedPath{{kind: "scan result", path: cmpOrDash(opts.output)}}, atomicfile.Options{})
	if err != nil {
		return err
	}
	defer abortOutputs(outputs)
	b, err := loadTarget(ctx, a, opts.target, opts.includeDev)
	if err != nil {
		return err
	}
	res, err := scan.Scan(ctx, b, store, scan.Options{
		Source: opts.target, VEX: vex.NewDecider(statements...), VEXFiles: opts.vexFiles,
		Tool: scan.Tool{Name: "sdlkit", Version: readBuildVersion().Version}, Now: scanTime(a),
	})
	if err != nil {
		return inputError(err)
	}
	for _, u := range res.Unchecked {
		if u.Ecosystem != "" {
			a.warnf("not checked: %s", textsafe.Escape(u.Reason+" ("+u.Ecosystem+")"))
		}
	}
	if n := countComponents(res.Unchecked); n > 0 {
		a.warnf("not checked: %d components without version or known ecosystem (listed in the result)", n)
	}
	var w io.Writer = a.out
	if outputs[0] != nil {
		w = outputs[0]
	}
	if err := renderScan(w, opts.format, b, res); err != nil {
		return err
	}
	if err := commitOutputs(outputs); err != nil {
		return err
	}
	if l != nil {
		ev, err := scanEvidence(b, res)
		if err != nil {
			return err
		}
		if err := opts.rec.append(ctx, a, l, ev); err != nil {
			return err
		}
	}
	return scanVerdict(a, res, threshold, maxAge, opts.failOnStale)
}

// limits parses --fail-on and --max-age.
func (o scanOptions) limits() (severity.Rating, time.Duration, error) {
	var threshold severity.Rating
	if o.failOn != "" {
		r, ok := severity.ParseRating(o.failOn)
		if !ok || r == severity.None {
			return "", 0, usageErrorf("unknown --fail-on %q: use critical, high, medium or low", o.failOn)
		}
		threshold = r
	}
	var age time.Duration
	if o.maxAge != "" {
		d, err := project.ParseAge(o.maxAge)
		if err != nil {
			return "", 0, usageErrorf("--max-age %q: %v", o.maxAge, err)
		}
		age = d
	} else if o.failOnStale {
		return "", 0, usageErrorf("--fail-on-stale needs --max-age")
	}
	return threshold, age, nil
}

func cmpOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// scanTime is SOURCE_DATE_EPOCH when set, so that results reproduce.
func scanTime(a *app) time.Time {
	if t, err := sourceDateEpoch(a.getenv("SOURCE_DATE_EPOCH")); err == nil && !t.IsZero() {
		return t
	}
	return time.Now().UTC()
}

func countComponents(us []scan.Unchecked) int {
	n := 0
	for _, u := range us {
		if u.Component != "" {
			n++
		}
	}
	return n
}

// readVEX reads every --vex file.
func readVEX(ctx context.Context, files []string) ([][]vex.Statement, error) {
	var out [][]vex.Statement
	for _, f := range files {
		_, stmts, err := readVEXFile(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, stmts)
	}
	return out, nil
}

// readVEXFile reads and parses one VEX document, bounded.
func readVEXFile(ctx context.Context, f string) ([]byte, []vex.Statement, error) {
	data, err := readlimit.ReadFile(ctx, f, readlimit.Kind{Name: "vex", Limit: vex.MaxDocumentSize})
	if err != nil {
		return nil, nil, inputError(err)
	}
	stmts, err := vex.Parse(data, f)
	if err != nil {
		return nil, nil, inputError(err, "sdlkit reads OpenVEX, CycloneDX VEX (or a BOM's vulnerabilities) and CSAF 2.0")
	}
	return data, stmts, nil
}

// loadTarget returns the SBOM of the target: decoded when it is an SBOM,
// generated when it is a directory, a lockfile or a Go binary.
func loadTarget(ctx context.Context, a *app, target string, includeDev bool) (*sbom.BOM, error) {
	info, err := os.Stat(target)
	if err != nil {
		return nil, inputError(fmt.Errorf("scan %q: %w", target, unwrapPathErr(err)))
	}
	if info.Mode().IsRegular() && looksLikeDocument(target) {
		data, err := readlimit.ReadFile(ctx, target, sbomInput)
		if err != nil {
			return nil, inputError(err)
		}
		if _, err := format.Detect(data); err == nil {
			b, err := format.Decode(bytes.NewReader(data), strconv.Quote(target))
			if err != nil {
				return nil, inputError(err, "check the SBOM with 'sdlkit sbom validate'")
			}
			return b, nil
		}
	}
	// The module cache only adds edges to the Go module graph: a scan
	// needs the components, which go.mod lists in full.
	b, err := generate.SBOM(ctx, target, generate.Options{NoGoModuleCache: true, IncludeDev: includeDev})
	if err != nil {
		if errors.Is(err, generate.ErrUnknownFile) {
			return nil, inputError(err, "scan takes an SBOM (CycloneDX, SPDX), a directory, a lockfile or a Go binary")
		}
		return nil, inputError(err)
	}
	for _, s := range generate.Skipped(b) {
		a.warnf("skipped %s", s)
	}
	return b, nil
}

// looksLikeDocument sniffs the first bytes: JSON, XML or SPDX tag-value
// may be an SBOM; a binary is not.
func looksLikeDocument(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = bytes.TrimLeft(head[:n], " \t\r\n\ufeff")
	return len(head) > 0 && (head[0] == '{' || head[0] == '<' || bytes.HasPrefix(head, []byte("SPDXVersion")) || head[0] == '#')
}

func renderScan(w io.Writer, format string, b *sbom.BOM, res *scan.Result) error {
	switch format {
	case "json":
		return report.JSON(w, res)
	case "sarif":
		return report.SARIF(w, res)
	case "cyclonedx":
		return report.CycloneDX(w, b, res)
	case "markdown":
		return report.Markdown(w, res)
	}
	return report.Table(w, res)
}

// scanVerdict maps the result to the exit status.
func scanVerdict(a *app, res *scan.Result, threshold severity.Rating, maxAge time.Duration, failOnStale bool) error {
	if maxAge > 0 {
		if age := res.ScannedAt.Sub(res.Store.Newest); age > maxAge {
			msg := fmt.Sprintf("the advisory store is stale: its newest advisory is from %s, %s before the scan (--max-age %s)",
				res.Store.Newest.Format("2006-01-02"), age.Round(time.Hour), maxAge)
			if failOnStale {
				return checkFailed(errors.New(msg), "update it: sdlkit advisories fetch, or import a newer export or snapshot")
			}
			a.warnf("%s", msg)
		}
	}
	if threshold == "" {
		return nil
	}
	if n := res.AtOrAbove(threshold); n > 0 {
		return checkFailed(fmt.Errorf("%d unsuppressed findings rated %s or higher", n, threshold),
			"fix them (the result lists the fixed versions), or record a triage decision: sdlkit vex add")
	}
	return nil
}

// scanEvidence is the ledger record of a scan: its JSON result (whatever
// --format printed), the findings by rating after VEX as facts.
func scanEvidence(b *sbom.BOM, res *scan.Result) (evidence, error) {
	var buf bytes.Buffer
	if err := renderScan(&buf, "json", b, res); err != nil {
		return evidence{}, err
	}
	s := res.Summary
	name := cmp.Or(path.Base(res.Target.Name), "scan")
	return evidence{
		kind: "vuln-scan", producer: "sdlkit scan", version: res.Target.Version,
		summary: fmt.Sprintf("scan of %s: %d critical, %d high, %d medium, %d low, %d unknown, %d suppressed by VEX (store %s)",
			strings.TrimSpace(res.Target.Name+" "+res.Target.Version), s.Critical, s.High, s.Medium, s.Low, s.Unknown, s.Suppressed, res.Store.Digest),
		facts: map[string]string{
			"findings.critical": strconv.Itoa(s.Critical), "findings.high": strconv.Itoa(s.High),
			"findings.medium": strconv.Itoa(s.Medium), "findings.low": strconv.Itoa(s.Low),
			"findings.unknown": strconv.Itoa(s.Unknown), "findings.suppressed": strconv.Itoa(s.Suppressed),
			"components": strconv.Itoa(res.Target.Components), "store": res.Store.Digest,
		},
		blobs: []ledger.Blob{{Name: name + ".scan.json", Data: buf.Bytes()}},
	}, nil
}
