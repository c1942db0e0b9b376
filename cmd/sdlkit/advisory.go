package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/internal/textsafe"
	"github.com/sdlkit/sdlkit/vulnmgmt/csaf"
)

// csafInput is a CSAF document read whole.
var csafInput = readlimit.Kind{Name: "csaf", Limit: csaf.MaxDocumentSize}

func newAdvisoryCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "advisory",
		Short: "Write, validate and publish CSAF 2.0 advisories and VEX for your releases",
		Long: `An advisory tells customers which releases a vulnerability affects and what
to do (IEC 62443-4-1 DM-5, SUM-2), as a CSAF 2.0 document, the format ICS
operators, CISA and national CERTs read.

'advisory create' writes a csaf_vex or csaf_security_advisory from the
release SBOMs, VEX decisions and scan results; 'advisory update' makes its
next revision; 'advisory validate' checks any CSAF 2.0 document against the
schema and the standard's mandatory tests (section 6.1); 'advisory publish'
lays documents out as a CSAF provider directory, with hashes and signatures.
'sdlkit scan --vex' reads the documents written here.`,
	}
	cmd.AddCommand(newAdvisoryCreateCmd(a), newAdvisoryUpdateCmd(a), newAdvisoryValidateCmd(a), newAdvisoryPublishCmd(a))
	return cmd
}

// advisoryInputs are the flags that name what a document is made from.
type advisoryInputs struct {
	sboms, vexFiles, scans []string
}

func (o *advisoryInputs) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&o.sboms, "sbom", nil, "the SBOM of a release the document covers (repeatable)")
	f.StringArrayVar(&o.vexFiles, "vex", nil, "VEX decisions about those releases: OpenVEX, CycloneDX or CSAF `FILE` (repeatable)")
	f.StringArrayVar(&o.scans, "scan", nil, "a JSON scan result of one of the releases ('sdlkit scan --format json') (repeatable)")
}

func (o *advisoryInputs) given() bool { return len(o.sboms)+len(o.vexFiles)+len(o.scans) > 0 }

func (o *advisoryInputs) paths() []namedPath {
	var in []namedPath
	for _, set := range []struct {
		kind  string
		files []string
	}{{"sbom", o.sboms}, {"vex", o.vexFiles}, {"scan result", o.scans}} {
		for _, f := range set.files {
			in = append(in, namedPath{set.kind, f})
		}
	}
	return in
}

// read reads every input file.
func (o *advisoryInputs) read(ctx context.Context) (csaf.Inputs, error) {
	var in csaf.Inputs
	if len(o.sboms) == 0 {
		return in, usageErrorf("give the SBOM of each release the document covers: --sbom FILE")
	}
	for _, f := range o.sboms {
		b, err := readSBOMFile(ctx, f)
		if err != nil {
			return in, err
		}
		in.Releases = append(in.Releases, csaf.Release{BOM: b, File: f})
	}
	docs, err := readVEX(ctx, o.vexFiles)
	if err != nil {
		return in, err
	}
	for _, d := range docs {
		in.Statements = append(in.Statements, d...)
	}
	for _, f := range o.scans {
		r, err := readScanResult(ctx, f)
		if err != nil {
			return in, err
		}
		in.Scans = append(in.Scans, csaf.ScanResult{Result: r, File: f})
	}
	return in, nil
}

// publisherOptions give the publisher: a config file, flags over it.
type publisherOptions struct {
	file string
	p    csaf.Publisher
}

func (o *publisherOptions) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.file, "publisher", "", "a YAML or JSON `FILE` with the publisher: name, namespace, category, contact_details, issuing_authority")
	f.StringVar(&o.p.Name, "publisher-name", "", "the publisher's name (over --publisher)")
	f.StringVar(&o.p.Namespace, "publisher-namespace", "", "the publisher's URL, e.g. https://psirt.example.com (over --publisher)")
	f.StringVar(&o.p.Category, "publisher-category", "", "vendor, coordinator, discoverer, translator, user or other (default vendor)")
	f.StringVar(&o.p.ContactDetails, "publisher-contact", "", "how to reach the publisher (over --publisher)")
}

func (o *publisherOptions) publisher(ctx context.Context) (csaf.Publisher, error) {
	var p csaf.Publisher
	if o.file != "" {
		data, err := readlimit.ReadFile(ctx, o.file, readlimit.Kind{Name: "publisher", Limit: 1 << 20})
		if err != nil {
			return p, inputError(err)
		}
		if err := yaml.UnmarshalStrict(data, &p); err != nil {
			return p, inputError(fmt.Errorf("read publisher %q: %v", o.file, err))
		}
	}
	for _, f := range []struct {
		dst *string
		v   string
	}{
		{&p.Name, o.p.Name}, {&p.Namespace, o.p.Namespace}, {&p.Category, o.p.Category}, {&p.ContactDetails, o.p.ContactDetails},
	} {
		if f.v != "" {
			*f.dst = f.v
		}
	}
	if p.Category == "" {
		p.Category = "vendor"
	}
	if err := p.Check(); err != nil {
		if o.file != "" {
			err = fmt.Errorf("%q: %w", o.file, err)
		}
		return p, inputError(err, "give it with --publisher FILE or --publisher-name and --publisher-namespace")
	}
	return p, nil
}

type advisoryCreateOptions struct {
	in     advisoryInputs
	pub    publisherOptions
	doc    csaf.Options
	output string
}

func newAdvisoryCreateCmd(a *app) *cobra.Command {
	var o advisoryCreateOptions
	cmd := &cobra.Command{
		Use:   "create --sbom FILE... [--vex FILE...] [--scan RESULT...] -o OUT.json",
		Short: "Write a CSAF 2.0 VEX or security advisory for releases",
		Long: `Create writes a CSAF 2.0 document about the releases whose SBOMs are given:
the product tree (vendor, product name, version; the components a decision
or finding is about, as parts of their release, with their purls), and per
vulnerability the product status from the VEX decisions (not_affected,
affected, fixed, under_investigation) and the scans' findings (a finding no
decision covers is under_investigation), the justification flags, impact
statements, remediations (vendor_fix naming the later release that is
clear, the decision's action as mitigation or workaround, else
none_available), CVSS v3 scores, and CVSS v4.0 vectors as notes (CSAF 2.0
has no object for them).

A decision about a range of the product's versions names the product's
purl with the qualifier vers, a vers range (pkg:generic/acme/fw?vers=
vers:generic/%3C2.3.1 is "fw before 2.3.1"): it becomes a
product_version_range, applies to each release in the range, and the end
of the range is the vendor_fix.

A VEX decision or scan about a product or version that none of the SBOMs
has is an error: the document would claim something about another product.
The document is validated before it is written; it is never overwritten.`,
		Example: `  sdlkit advisory create --sbom dist/fw-1.2.0.cdx.json --sbom dist/fw-1.3.0.cdx.json \
      --vex triage.vex.json --scan dist/scan.json --publisher psirt.yaml --id ACME-2026-0007 -o ACME-2026-0007.json
  sdlkit advisory create --category csaf_security_advisory --sbom fw.cdx.json --vex triage.vex.json \
      --publisher-name "ACME PSIRT" --publisher-namespace https://psirt.acme.example -o advisory.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAdvisoryCreate(cmd.Context(), a, &o)
		},
	}
	o.in.register(cmd)
	o.pub.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.doc.ID, "id", "", "the document's tracking id, e.g. ACME-2026-0007 (default: the releases' names)")
	f.StringVar(&o.doc.Category, "category", csaf.CategoryVEX, "csaf_vex or csaf_security_advisory")
	f.StringVar(&o.doc.Title, "title", "", "the document's title")
	f.StringVar(&o.doc.Status, "status", "final", "draft, interim or final")
	f.StringVar(&o.doc.TLP, "tlp", "WHITE", "the TLP label: WHITE (public), GREEN, AMBER or RED")
	f.StringVarP(&o.output, "output", "o", "", "write the document to `FILE` ('-' for stdout)")
	_ = cmd.MarkFlagRequired("output")
	return cmd
}

func runAdvisoryCreate(ctx context.Context, a *app, o *advisoryCreateOptions) error {
	inputs := o.in.paths()
	if o.pub.file != "" {
		inputs = append(inputs, namedPath{"publisher", o.pub.file})
	}
	if err := checkOutputs([]namedPath{{"advisory", o.output}}, inputs); err != nil {
		return err
	}
	pub, err := o.pub.publisher(ctx)
	if err != nil {
		return err
	}
	in, err := o.in.read(ctx)
	if err != nil {
		return err
	}
	o.doc.Publisher, o.doc.Now, o.doc.Tool = pub, scanTime(a), csaf.Engine{Name: "sdlkit", Version: readBuildVersion().Version}
	doc, err := csaf.Create(in, o.doc)
	if err != nil {
		return createError(err)
	}
	return writeAdvisory(a, doc, o.output, atomicfile.Options{NoOverwrite: true})
}

// createError classifies an error of csaf.Create, with a hint for an
// input about another product.
func createError(err error) error {
	if errors.Is(err, csaf.ErrOtherProduct) {
		return inputError(err, "give the SBOM of every release the VEX and scans speak of (--sbom), or leave out what is about another product")
	}
	return inputError(err)
}

// writeAdvisory validates the document and writes it atomically.
func writeAdvisory(a *app, doc *csaf.Advisory, out string, opts atomicfile.Options) error {
	data, err := csaf.Marshal(doc)
	if err != nil {
		return err
	}
	if _, err := csaf.ParseValid(data, out); err != nil {
		// A bug of sdlkit's, or an input it did not foresee: say where.
		return fmt.Errorf("write advisory: %w", err)
	}
	if out == "-" {
		_, err := a.out.Write(data)
		return err
	}
	opts.Kind = "advisory"
	if err := atomicfile.Write(out, opts, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		if errors.Is(err, atomicfile.ErrExists) {
			return inputError(err, "make a new revision with 'sdlkit advisory update', or write elsewhere")
		}
		return inputError(err)
	}
	a.infof("wrote %s %s version %s (%d vulnerabilities)", doc.Document.Category, textsafe.Escape(doc.Document.Tracking.ID), doc.Document.Tracking.Version, len(doc.Vulnerabilities))
	return nil
}

type advisoryUpdateOptions struct {
	in     advisoryInputs
	upd    csaf.UpdateOptions
	output string
}

func newAdvisoryUpdateCmd(a *app) *cobra.Command {
	var o advisoryUpdateOptions
	cmd := &cobra.Command{
		Use:   "update FILE --summary TEXT [--status STATUS] [--sbom FILE... --vex FILE... --scan RESULT...]",
		Short: "Make the next revision of a CSAF document",
		Long: `Update makes the next revision of a document written by 'advisory create':
the version goes up by one, a revision with the summary is added to the
history, the current release date is now, and the tracking id, initial
release date, publisher and title stay. With --sbom (and --vex, --scan) the
content is made again from them, as create makes it; without, only the
tracking changes (a draft becoming final, say). A final document stays final.

The document is replaced in place unless -o names another file.`,
		Example: `  sdlkit advisory update ACME-2026-0007.json --summary "Fixed in 1.3.0." --sbom fw-1.2.0.cdx.json \
      --sbom fw-1.3.0.cdx.json --vex triage.vex.json
  sdlkit advisory update draft.json --status final --summary "Reviewed and released."`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAdvisoryUpdate(cmd.Context(), a, args[0], &o)
		},
	}
	o.in.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.upd.Summary, "summary", "", "what changed, for the revision history")
	f.StringVar(&o.upd.Status, "status", "", "the new status: interim or final (default: unchanged)")
	f.StringVarP(&o.output, "output", "o", "", "write the new revision to `FILE` (default: FILE itself)")
	_ = cmd.MarkFlagRequired("summary")
	return cmd
}

func runAdvisoryUpdate(ctx context.Context, a *app, file string, o *advisoryUpdateOptions) error {
	out := cmp.Or(o.output, file)
	inputs := o.in.paths()
	if out != file {
		inputs = append(inputs, namedPath{"advisory", file})
	}
	if err := checkOutputs([]namedPath{{"advisory", out}}, inputs); err != nil {
		return err
	}
	old, err := readAdvisory(ctx, file)
	if err != nil {
		return err
	}
	var fresh *csaf.Advisory
	if o.in.given() {
		in, err := o.in.read(ctx)
		if err != nil {
			return err
		}
		d := old.Document
		fresh, err = csaf.Create(in, csaf.Options{ID: d.Tracking.ID, Category: d.Category, Publisher: d.Publisher, Status: d.Tracking.Status,
			TLP: tlpOf(old), Now: scanTime(a)})
		if err != nil {
			return createError(err)
		}
	}
	o.upd.Now, o.upd.Tool = scanTime(a), csaf.Engine{Name: "sdlkit", Version: readBuildVersion().Version}
	doc, err := csaf.Update(old, fresh, o.upd)
	if err != nil {
		return inputError(fmt.Errorf("%q: %w", file, err))
	}
	return writeAdvisory(a, doc, out, atomicfile.Options{})
}

func tlpOf(a *csaf.Advisory) string {
	if d := a.Document.Distribution; d != nil && d.TLP != nil {
		return d.TLP.Label
	}
	return ""
}

// readAdvisory reads a CSAF document that must be valid.
func readAdvisory(ctx context.Context, file string) (*csaf.Advisory, error) {
	data, err := readlimit.ReadFile(ctx, file, csafInput)
	if err != nil {
		return nil, inputError(err)
	}
	a, err := csaf.ParseValid(data, file)
	if err != nil {
		return nil, inputError(err, "check it with sdlkit advisory validate")
	}
	return a, nil
}

func newAdvisoryValidateCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check CSAF 2.0 documents against the schema and the mandatory tests",
		Long: `Validate checks each CSAF 2.0 document against the OASIS JSON schema (with
the FIRST CVSS schemas) and the mandatory tests of section 6.1 of the
standard: product and group ids defined once and used, no circular
definitions, consistent product status, one score per CVSS version and
product, scores that match their vectors, CWE ids and names, language
tags, purls, the revision history's order, numbering and drafts, translator
rules, category names, the profiles' required parts, version ranges and
flags. Each finding names its test and the place (a JSON Pointer). The
optional (6.2) and informative (6.3) tests are not run.

Exit status: 1 when a document is invalid, 2 when one cannot be read or is
not CSAF 2.0.`,
		Example: `  sdlkit advisory validate ACME-2026-0007.json
  sdlkit advisory validate --format json csaf/white/2026/*.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			return runAdvisoryValidate(cmd.Context(), a, args, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}

func runAdvisoryValidate(ctx context.Context, a *app, files []string, format string) error {
	var reports []*csaf.Report
	invalid := 0
	for _, f := range files {
		data, err := readlimit.ReadFile(ctx, f, csafInput)
		if err != nil {
			return inputError(err)
		}
		r, err := csaf.Validate(data, f)
		if err != nil {
			return inputError(err, "sdlkit validates CSAF 2.0 JSON documents")
		}
		if !r.Valid {
			invalid++
		}
		reports = append(reports, r)
	}
	if format == "json" {
		if err := writeJSON(a.out, reports); err != nil {
			return err
		}
	} else if err := writeCSAFValidation(a.out, reports); err != nil {
		return err
	}
	if invalid > 0 {
		return checkFailed(fmt.Errorf("%d of %d documents are invalid CSAF 2.0", invalid, len(files)))
	}
	return nil
}

func writeCSAFValidation(w io.Writer, reports []*csaf.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range reports {
		if r.Valid {
			fmt.Fprintf(tw, "%s\tvalid\n", textsafe.Escape(r.File))
			continue
		}
		fmt.Fprintf(tw, "%s\tinvalid: %d findings, tests %s\n", textsafe.Escape(r.File), len(r.Findings), strings.Join(r.Tests(), ", "))
		for _, f := range r.Findings {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.Test, textsafe.Cell(f.Path), textsafe.Escape(f.Message))
		}
	}
	return tw.Flush()
}
