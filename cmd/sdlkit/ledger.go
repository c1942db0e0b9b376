package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/internal/textsafe"
	"github.com/sdlkit/sdlkit/practices/ledger"
)

// ledgerEnv names the variable that points every command at a ledger.
const ledgerEnv = "SDLKIT_LEDGER"

// ledgerOptions say where the ledger is: --ledger or SDLKIT_LEDGER, else
// the branch sdlkit-ledger of the repository holding the working directory.
type ledgerOptions struct {
	path       string
	branch     string
	signingKey string
	catalog    catalogOptions
}

func (o *ledgerOptions) register(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringVar(&o.path, "ledger", "", "the ledger's repository (a work tree or bare; default $"+ledgerEnv+", else the repository holding the working directory)")
	f.StringVar(&o.branch, "ledger-branch", ledger.DefaultBranch, "the branch that holds the ledger")
	f.StringVar(&o.signingKey, "signing-key", "", "sign the ledger's commits with this SSH or OpenPGP private key file (default $"+signingKeyEnv+", else git's user.signingKey when commit.gpgSign and gpg.format=ssh are set)")
	o.catalog.register(cmd)
}

func (o *ledgerOptions) location(a *app) ledger.Location {
	path := o.path
	if path == "" {
		path = a.getenv(ledgerEnv)
	}
	return ledger.Location{Repo: path, Branch: o.branch}
}

func (o *ledgerOptions) open(ctx context.Context, a *app) (*ledger.Ledger, error) {
	c, err := o.catalog.load(ctx)
	if err != nil {
		return nil, err
	}
	l, err := ledger.Open(o.location(a), c)
	if err != nil {
		return nil, ledgerError(err)
	}
	return l, nil
}

// ledgerError classifies ledger errors: a tampered or invalid ledger found
// while reading is an input error here; verify reports its findings itself.
func ledgerError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ledger.ErrNoLedger):
		return inputError(err, "create one with 'sdlkit ledger init', or point --ledger / "+ledgerEnv+" at one")
	case errors.Is(err, context.Canceled):
		return err
	}
	return inputError(err)
}

// actor is who records: $SDLKIT_ACTOR, the GitHub Actions workflow, else
// the user's git identity.
func (a *app) actor(l *ledger.Ledger) string {
	if v := a.getenv("SDLKIT_ACTOR"); v != "" {
		return v
	}
	if a.getenv("GITHUB_ACTIONS") == "true" && a.getenv("GITHUB_WORKFLOW_REF") != "" {
		return "github:" + a.getenv("GITHUB_WORKFLOW_REF")
	}
	if l != nil {
		if id := l.GitIdentity(); id != "" {
			return id
		}
	}
	if u := a.getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

func newLedgerCmd(a *app) *cobra.Command {
	var opts ledgerOptions
	cmd := &cobra.Command{
		Use:   "ledger",
		Short: "The evidence ledger: record, read and verify IEC 62443-4-1 evidence in git",
		Long: `The ledger keeps evidence for the requirements of IEC 62443-4-1 in git: by
default on the orphan branch sdlkit-ledger of the product's own repository
(pushed to the same remote as the code), or in any repository given by
--ledger PATH or $SDLKIT_LEDGER (a bare one works).

Each evidence event is one JSON record (a documented, versioned format) in
its own commit; evidence files are stored once, named by their SHA-256.
Commits only ever add files, so 'ledger verify' detects an edited or deleted
record and a changed evidence file, and, given a checkpoint an assessor kept,
a history that was reset or rewritten.

sbom generate, sign, attest, release sign, scan and vex add record their
own output with --record (or whenever $SDLKIT_LEDGER is set).`,
	}
	opts.register(cmd)
	cmd.AddCommand(
		newLedgerInitCmd(a, &opts),
		newLedgerRecordCmd(a, &opts),
		newLedgerReviewCmd(a, &opts),
		newLedgerLogCmd(a, &opts),
		newLedgerShowCmd(a, &opts),
		newLedgerStatusCmd(a, &opts),
		newLedgerVerifyCmd(a, &opts),
		newLedgerCheckpointCmd(a, &opts),
		newLedgerReportCmd(a, &opts),
		newLedgerExportCmd(a, &opts),
		newLedgerSyncCmd(a, &opts),
		newLedgerCloneCmd(a, &opts),
		&cobra.Command{
			Use:   "schema",
			Short: "Print the JSON Schema of a ledger record",
			Args:  cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error {
				_, err := a.out.Write(ledger.RecordSchema)
				return err
			},
		},
	)
	return cmd
}

func newLedgerInitCmd(a *app, opts *ledgerOptions) *cobra.Command {
	var product, scopeFile string
	cmd := &cobra.Command{
		Use:   "init [--product NAME] [--scope FILE]",
		Short: "Create a ledger: the orphan branch sdlkit-ledger, with the SM-5 scope",
		Long: `init creates the ledger's branch with ledger.json (the product) and
scope.json, the SM-5 record of which requirements apply. The scope file
(YAML or JSON) lists the requirements that do not apply, each with its
rationale; every other requirement of the catalog is in scope:

  format: sdlkit.scope/v1
  out_of_scope:
    - requirement: SUM-5
      rationale: the product is not delivered with a patch management system`,
		Example: `  sdlkit ledger init --product acme-rtu
  sdlkit ledger init --ledger /srv/evidence.git --product acme-rtu --scope scope.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := opts.catalog.load(ctx)
			if err != nil {
				return err
			}
			var scope *ledger.Scope
			if scopeFile != "" {
				data, err := readlimit.ReadFile(ctx, scopeFile, readlimit.Kind{Name: "scope file", Limit: ledger.MaxScopeSize})
				if err != nil {
					return inputError(err)
				}
				if scope, err = ledger.ParseScope(data, c); err != nil {
					return inputError(fmt.Errorf("read scope %q: %w", scopeFile, err))
				}
			}
			loc := opts.location(a)
			signer, err := opts.commitSigner(ctx, a, nil)
			if err != nil {
				return err
			}
			l, err := ledger.Init(ctx, loc, c, ledger.InitOptions{Product: product, Scope: scope, Actor: a.actor(nil), Time: recordTime(a)}, signer)
			if errors.Is(err, ledger.ErrExists) {
				return inputError(err)
			}
			if err != nil {
				return ledgerError(err)
			}
			a.infof("created ledger on branch %s of %s", l.Branch(), textsafe.Escape(l.GitDir()))
			return nil
		},
	}
	cmd.Flags().StringVar(&product, "product", "", "the product the ledger holds evidence for (the default product of its records)")
	cmd.Flags().StringVar(&scopeFile, "scope", "", "the SM-5 scope file: requirements out of scope, with rationale")
	return cmd
}

// recordTime is the time records get: when the evidence was recorded. It is
// never $SOURCE_DATE_EPOCH, which dates a build's sources, not the moment
// evidence about them was recorded.
func recordTime(*app) time.Time { return time.Now().UTC().Truncate(time.Second) }

// recordFlags are the fields of a record given by hand.
type recordFlags struct {
	requirements []string
	kind         string
	product      string
	version      string
	summary      string
	format       string
}

func (o *recordFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&o.requirements, "requirement", nil, "a requirement the evidence is for, e.g. SVV-3 (repeatable)")
	f.StringVar(&o.product, "product", "", "the product (default: the ledger's)")
	f.StringVar(&o.version, "version", "", "the release the evidence is for (empty: not tied to a release)")
	f.StringVar(&o.summary, "summary", "", "one paragraph saying what the evidence shows")
	f.StringVarP(&o.format, "format", "f", "text", "output format: text or json")
	_ = cmd.MarkFlagRequired("requirement")
}

func (o *recordFlags) record(a *app, l *ledger.Ledger) ledger.Record {
	return ledger.Record{Actor: a.actor(l), Time: recordTime(a), Product: o.product, Version: o.version,
		Requirements: o.requirements, Kind: o.kind, Summary: o.summary}
}

func newLedgerRecordCmd(a *app, opts *ledgerOptions) *cobra.Command {
	var rf recordFlags
	cmd := &cobra.Command{
		Use:   "record --requirement ID --kind KIND [--version V] [--summary TEXT] FILE...",
		Short: "Record evidence files against requirements",
		Long: `record stores FILEs in the ledger (content-addressed: a file recorded twice is
stored once) and commits one record naming them, the requirements, the kind
of evidence (one of the catalog's: 'sdlkit practices list --format json'),
the product and the release. The record's id is printed on stdout.`,
		Example: `  sdlkit ledger record --requirement SVV-3 --kind vuln-scan --product app --version 1.4.0 scan.json
  sdlkit ledger record --requirement SD-1 --kind threat-model --summary "STRIDE review of the RTU firmware" tm.pdf`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(rf.format, "text", "json"); err != nil {
				return err
			}
			return runLedgerAppend(cmd.Context(), a, opts, rf.format, func(l *ledger.Ledger) ledger.Entry {
				return ledger.Entry{Record: rf.record(a, l), Files: args}
			})
		},
	}
	rf.register(cmd)
	cmd.Flags().StringVar(&rf.kind, "kind", "", "the kind of evidence, e.g. vuln-scan, test-report, document")
	_ = cmd.MarkFlagRequired("kind")
	return cmd
}

func newLedgerReviewCmd(a *app, opts *ledgerOptions) *cobra.Command {
	var rf recordFlags
	var status, note string
	cmd := &cobra.Command{
		Use:   "review --requirement ID --status STATUS [--note TEXT] [FILE...]",
		Short: "Record a person's review or approval",
		Example: `  sdlkit ledger review --requirement SR-2 --status approved --note "threat model v3 reviewed with the PSIRT"
  sdlkit ledger review --requirement SM-11 --kind approval --status approved --version 1.4.0`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(rf.format, "text", "json"); err != nil {
				return err
			}
			return runLedgerAppend(cmd.Context(), a, opts, rf.format, func(l *ledger.Ledger) ledger.Entry {
				r := rf.record(a, l)
				r.Review = &ledger.Decision{Status: status, Note: note}
				return ledger.Entry{Record: r, Files: args}
			})
		},
	}
	rf.register(cmd)
	cmd.Flags().StringVar(&rf.kind, "kind", "review", "review or approval")
	cmd.Flags().StringVar(&status, "status", "", "the decision: "+strings.Join(ledger.ReviewStatuses(), ", "))
	cmd.Flags().StringVar(&note, "note", "", "what was reviewed and decided")
	_ = cmd.MarkFlagRequired("status")
	return cmd
}

func runLedgerAppend(ctx context.Context, a *app, opts *ledgerOptions, format string, entry func(*ledger.Ledger) ledger.Entry) error {
	l, err := opts.open(ctx, a)
	if err != nil {
		return err
	}
	w, err := opts.writer(ctx, a, l)
	if err != nil {
		return err
	}
	recs, err := w.Append(ctx, []ledger.Entry{entry(l)})
	if err != nil {
		return ledgerError(err)
	}
	return printRecorded(a, format, recs)
}

func printRecorded(a *app, format string, recs []ledger.Record) error {
	if format == "json" {
		return writeJSON(a.out, recs)
	}
	for _, r := range recs {
		fmt.Fprintln(a.out, r.ID)
	}
	return nil
}

// filterFlags select records for log.
type filterFlags struct {
	requirement, version, product, kind, since string
}

func (o *filterFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.requirement, "requirement", "", "only records for this requirement")
	f.StringVar(&o.version, "version", "", "only records for this release")
	f.StringVar(&o.product, "product", "", "only records for this product")
	f.StringVar(&o.kind, "kind", "", "only records of this kind")
	f.StringVar(&o.since, "since", "", "only records made at or after this time (RFC 3339 or YYYY-MM-DD)")
}

func (o *filterFlags) filter() (ledger.Filter, error) {
	f := ledger.Filter{Requirement: o.requirement, Version: o.version, Product: o.product, Kind: o.kind}
	if o.since != "" {
		t, err := time.Parse(time.RFC3339, o.since)
		if err != nil {
			t, err = time.Parse(time.DateOnly, o.since)
		}
		if err != nil {
			return f, usageErrorf("--since %q: want RFC 3339 (2026-01-31T12:00:00Z) or a date (2026-01-31)", o.since)
		}
		f.Since = t
	}
	return f, nil
}

func newLedgerLogCmd(a *app, opts *ledgerOptions) *cobra.Command {
	var ff filterFlags
	var format string
	cmd := &cobra.Command{
		Use:   "log [--requirement ID] [--version V] [--since T]",
		Short: "List records, oldest first",
		Example: `  sdlkit ledger log --requirement SVV-3
  sdlkit ledger log --version 1.4.0 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			f, err := ff.filter()
			if err != nil {
				return err
			}
			l, err := opts.open(cmd.Context(), a)
			if err != nil {
				return err
			}
			all, _, err := l.Summaries(cmd.Context())
			if err != nil {
				return ledgerError(err)
			}
			out := []ledger.Summary{}
			for _, s := range all {
				if f.Match(s) {
					out = append(out, s)
				}
			}
			if format == "json" {
				return writeJSON(a.out, out)
			}
			return printLog(a.out, out)
		},
	}
	ff.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	return cmd
}

func printLog(w io.Writer, recs []ledger.Summary) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME\tREQUIREMENTS\tKIND\tPRODUCT\tVERSION\tSUMMARY")
	for _, s := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID[:12], s.Time.Format(time.RFC3339), strings.Join(s.Requirements, ","),
			textsafe.Cell(s.Kind), textsafe.Cell(s.Product), textsafe.Cell(s.Version), textsafe.Cell(s.Summary))
	}
	return tw.Flush()
}

func newLedgerShowCmd(a *app, opts *ledgerOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one record (ID or a prefix of at least 4 hex digits)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			l, err := opts.open(cmd.Context(), a)
			if err != nil {
				return err
			}
			r, err := l.Record(cmd.Context(), args[0])
			if err != nil {
				return ledgerError(err)
			}
			if format == "json" {
				return writeJSON(a.out, r)
			}
			return printRecord(a.out, r)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	return cmd
}

func printRecord(w io.Writer, r *ledger.Record) error {
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "%-13s %s\n", k+":", textsafe.Escape(v))
		}
	}
	line("id", r.ID)
	line("time", r.Time.Format(time.RFC3339))
	line("actor", r.Actor)
	line("product", r.Product)
	line("version", r.Version)
	line("requirements", strings.Join(r.Requirements, ", "))
	line("kind", r.Kind)
	line("producer", r.Producer)
	if r.Subject != nil {
		line("subject", strings.TrimSpace(r.Subject.Name+" "+r.Subject.Digest))
	}
	if r.Review != nil {
		line("review", r.Review.Status)
		line("note", r.Review.Note)
	}
	line("summary", r.Summary)
	for _, f := range r.Evidence {
		line("evidence", fmt.Sprintf("%s (%s, %d bytes) %s", f.Name, f.MediaType, f.Size, f.Digest))
	}
	for _, k := range sortedKeys(r.Facts) {
		line("fact", k+" = "+r.Facts[k])
	}
	return nil
}

func newLedgerStatusCmd(a *app, opts *ledgerOptions) *cobra.Command {
	var version, product, format string
	cmd := &cobra.Command{
		Use:   "status [--version V] [--format json]",
		Short: "Coverage, staleness and estimated maturity per practice for a release",
		Long: `status shows, per practice and in-scope requirement, how many records the
ledger holds, the newest, whether the release has evidence (the SM-12 check
before release: a record for this version, or one tied to no release such
as a process document), what is stale (a threat model older than 12
months), and the estimated maturity level per practice with the rule that
gave it. Without --version, the newest release recorded.`,
		Example: `  sdlkit ledger status
  sdlkit ledger status --version 1.4.0 --format json | jq '.covered, .in_scope'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			l, err := opts.open(cmd.Context(), a)
			if err != nil {
				return err
			}
			st, err := l.Status(cmd.Context(), ledger.StatusOptions{Product: product, Version: version})
			if err != nil {
				return ledgerError(err)
			}
			if format == "json" {
				return writeJSON(a.out, st)
			}
			return printStatus(a.out, st)
		},
	}
	cmd.Flags().StringVar(&version, "version", "", "the release (default: the newest recorded)")
	cmd.Flags().StringVar(&product, "product", "", "the product (default: the ledger's)")
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	return cmd
}

func printStatus(w io.Writer, st *ledger.Status) error {
	version := st.Version
	if version == "" {
		version = "(no release recorded)"
	}
	fmt.Fprintf(w, "product %s, release %s: %d of %d in-scope requirements have evidence (%d records, head %.12s)\n\n",
		textsafe.Escape(st.Product), textsafe.Escape(version), st.Covered, st.InScope, st.Records, st.Head)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PRACTICE\tCOVERED\tMATURITY\tTITLE")
	for _, p := range st.Practices {
		fmt.Fprintf(tw, "%s\t%d/%d\tML%d\t%s\n", p.ID, p.Covered, p.InScope, p.Maturity, p.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REQUIREMENT\tRELEASE\tRECORDS\tNEWEST\tNOTE")
	for _, p := range st.Practices {
		for _, r := range p.Requirements {
			mark, newest, note := "missing", "-", strings.Join(r.Stale, "; ")
			if r.Covered {
				mark = "yes"
			}
			if !r.InScope {
				mark, note = "out of scope", r.Rationale
			}
			if r.Newest != nil {
				newest = r.Newest.Format(time.DateOnly)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", r.ID, mark, r.Evidence, newest, textsafe.Cell(note))
		}
	}
	return tw.Flush()
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
