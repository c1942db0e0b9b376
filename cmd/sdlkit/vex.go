package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	ovex "github.com/openvex/go-vex/pkg/vex"
	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/internal/textsafe"
	"github.com/sdlkit/sdlkit/practices/ledger"
	"github.com/sdlkit/sdlkit/vulnmgmt/vex"
)

func newVEXCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vex",
		Short: "Record triage decisions as OpenVEX: create, add, show",
		Long: `A VEX statement says whether a vulnerability affects a product, and why:
not_affected (with a justification or an impact statement), affected (with
the action to take), fixed, or under_investigation. 'sdlkit scan --vex'
applies them: not_affected and fixed suppress a finding.

'vex create' starts an OpenVEX document, 'vex add' records a decision in it,
'vex show' lists the statements of OpenVEX, CycloneDX VEX and CSAF documents.`,
	}
	cmd.AddCommand(newVEXCreateCmd(a), newVEXAddCmd(a), newVEXShowCmd(a))
	return cmd
}

// statementOptions are the flags of one statement.
type statementOptions struct {
	vulnerability string
	aliases       []string
	products      []string
	subcomponents []string
	status        string
	justification string
	impact        string
	action        string
	notes         string
}

func (o *statementOptions) register(cmd *cobra.Command, required bool) {
	f := cmd.Flags()
	f.StringVar(&o.vulnerability, "vulnerability", "", "the vulnerability: CVE, GHSA, GO-, PYSEC- … id")
	f.StringArrayVar(&o.aliases, "alias", nil, "another id of the same vulnerability (repeatable)")
	f.StringArrayVar(&o.products, "product", nil, "a package URL the statement is about (repeatable); without version it covers every version")
	f.StringArrayVar(&o.subcomponents, "subcomponent", nil, "a package URL inside the products the statement is about (repeatable)")
	f.StringVar(&o.status, "status", "", "not_affected, affected, fixed or under_investigation")
	f.StringVar(&o.justification, "justification", "", "why not_affected: "+strings.Join(ovex.Justifications(), ", "))
	f.StringVar(&o.impact, "impact", "", "impact statement: why not_affected, in words")
	f.StringVar(&o.action, "action", "", "action statement: what to do when affected")
	f.StringVar(&o.notes, "notes", "", "status notes: how the status was decided")
	if required {
		cmd.MarkFlagsRequiredTogether("vulnerability", "product", "status")
	}
}

func (o *statementOptions) given() bool {
	return o.vulnerability != "" || o.status != "" || len(o.products) > 0
}

func (o *statementOptions) statement() (ovex.Statement, error) {
	if o.vulnerability == "" || len(o.products) == 0 || o.status == "" {
		return ovex.Statement{}, usageErrorf("a statement needs --vulnerability, --product and --status")
	}
	s := ovex.Statement{
		Vulnerability:   ovex.Vulnerability{Name: ovex.VulnerabilityID(o.vulnerability)},
		Status:          ovex.Status(o.status),
		Justification:   ovex.Justification(o.justification),
		ImpactStatement: o.impact, ActionStatement: o.action, StatusNotes: o.notes,
	}
	for _, al := range o.aliases {
		s.Vulnerability.Aliases = append(s.Vulnerability.Aliases, ovex.VulnerabilityID(al))
	}
	for _, p := range o.products {
		prod := ovex.Product{Component: ovex.Component{ID: p}}
		for _, sc := range o.subcomponents {
			prod.Subcomponents = append(prod.Subcomponents, ovex.Subcomponent{Component: ovex.Component{ID: sc}})
		}
		s.Products = append(s.Products, prod)
	}
	return s, nil
}

func newVEXCreateCmd(a *app) *cobra.Command {
	var author, role string
	var so statementOptions
	cmd := &cobra.Command{
		Use:   "create FILE --author NAME [statement flags]",
		Short: "Start an OpenVEX document, optionally with a first statement",
		Example: `  sdlkit vex create triage.vex.json --author "ACME PSIRT <psirt@acme.example>"
  sdlkit vex create triage.vex.json --author psirt@acme.example --vulnerability CVE-2024-37890 \
      --product pkg:npm/ws@7.5.9 --status not_affected --justification vulnerable_code_not_in_execute_path`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			doc, err := vex.NewDocument(author, role, scanTime(a))
			if err != nil {
				return usageErrorf("%v", err)
			}
			if so.given() {
				s, err := so.statement()
				if err != nil {
					return err
				}
				if err := vex.Add(doc, s, scanTime(a)); err != nil {
					return inputError(fmt.Errorf("vex create %q: %w", args[0], err))
				}
			}
			return writeVEX(args[0], doc, atomicfile.Options{NoOverwrite: true})
		},
	}
	cmd.Flags().StringVar(&author, "author", "", "who makes the statements: a person or organisation, ideally with an e-mail or URI")
	cmd.Flags().StringVar(&role, "role", "", "the author's role, e.g. supplier or vendor")
	_ = cmd.MarkFlagRequired("author")
	so.register(cmd, false)
	return cmd
}

func newVEXAddCmd(a *app) *cobra.Command {
	var so statementOptions
	var rec recordOptions
	cmd := &cobra.Command{
		Use:   "add FILE --vulnerability ID --product PURL --status STATUS",
		Short: "Add a statement to an OpenVEX document (its version goes up)",
		Example: `  sdlkit vex add triage.vex.json --vulnerability GHSA-3h5v-q93c-6h6q --product pkg:npm/ws@7.5.9 \
      --status affected --action "upgrade ws to 7.5.10 in release 2.4.1"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVEXAdd(cmd.Context(), a, args[0], so, &rec)
		},
	}
	so.register(cmd, true)
	rec.register(cmd)
	return cmd
}

func runVEXAdd(ctx context.Context, a *app, file string, so statementOptions, rec *recordOptions) error {
	s, err := so.statement()
	if err != nil {
		return err
	}
	l, err := rec.open(ctx, a)
	if err != nil {
		return err
	}
	data, err := readlimit.ReadFile(ctx, file, readlimit.Kind{Name: "vex", Limit: vex.MaxDocumentSize})
	if err != nil {
		return inputError(err)
	}
	doc, err := vex.ReadOpenVEX(data, file)
	if err != nil {
		return inputError(err)
	}
	now := scanTime(a)
	if err := vex.Add(doc, s, now); err != nil {
		return inputError(fmt.Errorf("vex add %q: %w", file, err))
	}
	vex.Touch(doc, now)
	if err := writeVEX(file, doc, atomicfile.Options{}); err != nil {
		return err
	}
	if l == nil {
		return nil
	}
	var buf bytes.Buffer
	if err := vex.WriteOpenVEX(&buf, doc); err != nil {
		return inputError(err)
	}
	return rec.append(ctx, a, l, evidence{
		kind: "vex", producer: "sdlkit vex add",
		summary: fmt.Sprintf("VEX: %s is %s for %s", s.Vulnerability.Name, s.Status, strings.Join(so.products, ", ")),
		facts:   map[string]string{"vulnerability": string(s.Vulnerability.Name), "status": string(s.Status), "statements": strconv.Itoa(len(doc.Statements))},
		blobs:   []ledger.Blob{{Name: filepath.Base(file), Data: buf.Bytes()}},
	})
}

// writeVEX writes an OpenVEX document atomically.
func writeVEX(path string, doc *vex.Document, opts atomicfile.Options) error {
	opts.Kind = "vex"
	var buf bytes.Buffer
	if err := vex.WriteOpenVEX(&buf, doc); err != nil {
		return inputError(err)
	}
	if err := atomicfile.Write(path, opts, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	}); err != nil {
		return inputError(err)
	}
	return nil
}

func newVEXShowCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show FILE...",
		Short: "List the statements of OpenVEX, CycloneDX VEX and CSAF documents",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			docs, err := readVEX(cmd.Context(), args)
			if err != nil {
				return err
			}
			var all []vex.Statement
			for _, d := range docs {
				all = append(all, d...)
			}
			if all == nil {
				all = []vex.Statement{}
			}
			if format == "json" {
				return writeJSON(a.out, all)
			}
			return writeStatements(a.out, all)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}

func writeStatements(w io.Writer, stmts []vex.Statement) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VULNERABILITY\tSTATUS\tJUSTIFICATION\tPRODUCTS\tSOURCE")
	for _, s := range stmts {
		var prods []string
		for _, p := range s.Products {
			id := p.ID
			for _, sc := range p.Subcomponents {
				id += " > " + sc.ID
			}
			prods = append(prods, id)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", textsafe.Cell(string(s.Vulnerability.Name)), s.Status, textsafe.Cell(string(s.Justification)),
			textsafe.Cell(strings.Join(prods, ", ")), textsafe.Cell(s.Source))
	}
	return tw.Flush()
}
