package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/internal/textsafe"
	"github.com/sdlkit/sdlkit/policies"
	"github.com/sdlkit/sdlkit/practices/ledger"
	"github.com/sdlkit/sdlkit/sbom/format"
	"github.com/sdlkit/sdlkit/sbom/validate"
	"github.com/sdlkit/sdlkit/signing"
	"github.com/sdlkit/sdlkit/vulnmgmt/scan"
)

func newPolicyCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Release gates: policies of CEL rules over the SBOM, the scan, the signatures and the ledger",
		Long: `A policy is a YAML file of rules; each rule has an id, a description, the
requirement IDs it enforces, an action (deny or warn) and a condition in CEL
that must hold for the release to pass. Rules read one documented input:

  release    product, version
  sbom       present, valid, problems, components, withoutVersion, withoutPurl,
             licenses, unlicensed, bound (artifact digests the SBOM names)
  scan       present, storeAgeDays, findings: id, component, version, severity,
             score, fixAvailable, ageDays, suppressed, vexStatus, vexAction
  artifacts  name, digest, signed, signer, attestations
  ledger     present, inScope, covered, missing, stale, maturity (per practice),
             requirements: ID → inScope, covered, stale, evidence, automatic

A policy is type-checked when loaded: a rule that does not compile or names
a field that does not exist is an error with file, line and column. A rule
that cannot be evaluated fails the check (exit 2): never a silent pass.

Built-in policies: ` + strings.Join(policies.Names(), ", ") + ` ('sdlkit policy show NAME').`,
	}
	cmd.AddCommand(newPolicyListCmd(a), newPolicyShowCmd(a), newPolicyTestCmd(a), newPolicyCheckCmd(a))
	return cmd
}

// loadPolicy loads a built-in policy by name, or a policy file.
func loadPolicy(ctx context.Context, ref string) (*policies.Policy, error) {
	if !strings.ContainsAny(ref, `/\.`) {
		p, err := policies.Builtin(ref)
		if err != nil {
			return nil, inputError(err)
		}
		return p, nil
	}
	data, err := readlimit.ReadFile(ctx, ref, readlimit.Kind{Name: "policy", Limit: policies.MaxPolicySize})
	if err != nil {
		return nil, inputError(err)
	}
	p, err := policies.Parse(data, ref)
	if err != nil {
		return nil, inputError(err)
	}
	return p, nil
}

func newPolicyListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the built-in policies",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			tw := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tRULES\tDESCRIPTION")
			for _, n := range policies.Names() {
				p, err := policies.Builtin(n)
				if err != nil {
					return err
				}
				fmt.Fprintf(tw, "%s\t%d\t%s\n", p.Name, len(p.Rules), p.Description)
			}
			return tw.Flush()
		},
	}
}

func newPolicyShowCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "show NAME",
		Short:   "Print a built-in policy's file, to read or to copy and adapt",
		Example: `  sdlkit policy show baseline > policies/release.yaml`,
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			data, err := policies.BuiltinSource(args[0])
			if err != nil {
				return inputError(err)
			}
			_, err = a.out.Write(data)
			return err
		},
	}
}

func newPolicyTestCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "test NAME|FILE",
		Short: "Run a policy against the example inputs kept beside it (FILE.test.yaml)",
		Long: `test evaluates the policy against each example input of its test file
(NAME.test.yaml beside NAME.yaml; built-in policies carry theirs) and checks
the decision and the outcome of the rules each example names. Exit 1 when
an example does not get what it expects.`,
		Example: `  sdlkit policy test policies/release.yaml
  sdlkit policy test baseline`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			p, err := loadPolicy(ctx, args[0])
			if err != nil {
				return err
			}
			var data []byte
			name := policies.TestPath(args[0])
			if p.Source == "builtin:"+args[0] {
				data, err = policies.BuiltinTests(args[0])
				name = "builtin:" + args[0] + ".test.yaml"
			} else {
				data, err = readlimit.ReadFile(ctx, name, readlimit.Kind{Name: "policy tests", Limit: policies.MaxPolicySize})
			}
			if err != nil {
				return inputError(err)
			}
			tf, err := policies.ParseTests(data, name)
			if err != nil {
				return inputError(err)
			}
			results, err := tf.Run(ctx, p)
			if err != nil {
				return inputError(err)
			}
			failed := 0
			for _, r := range results {
				mark := "ok  "
				if len(r.Failures) > 0 {
					mark, failed = "FAIL", failed+1
				}
				fmt.Fprintf(a.out, "%s %s\n", mark, textsafe.Escape(r.Name))
				for _, f := range r.Failures {
					fmt.Fprintf(a.out, "     %s\n", textsafe.Escape(f))
				}
			}
			if failed > 0 {
				return checkFailed(fmt.Errorf("policy %s: %d of %d tests failed", p.Name, failed, len(results)))
			}
			a.infof("policy %s: %d tests passed", p.Name, len(results))
			return nil
		},
	}
	return cmd
}

// policyCheckOptions are the flags of 'policy check'.
type policyCheckOptions struct {
	policy    string
	sbom      string
	scan      string
	artifacts []string
	bundles   []string
	version   string
	format    string
	verify    verifyCmdOptions
	rec       recordOptions
}

func newPolicyCheckCmd(a *app) *cobra.Command {
	var o policyCheckOptions
	cmd := &cobra.Command{
		Use:   "check --policy NAME|FILE [--sbom S] [--scan R] [--artifact F…] [--bundle B…] [--version V]",
		Short: "Decide whether a release passes a policy, and explain each rule",
		Long: `check gathers the facts of a release — the SBOM (validated), the scan result
(after VEX), the artifacts and the signature and attestation bundles over
them (verified with --key or a certificate identity), and the ledger's
status for the release — evaluates every rule of the policy, and explains
each: pass, warn or deny, and the values that made it so.

Exit status: 0 the release passes (warnings allowed); 1 a deny rule failed;
2 an input could not be read or a rule could not be evaluated (fail closed).
With --record the decision goes into the ledger (gate-decision evidence,
with the policy's digest).`,
		Example: `  sdlkit policy check --policy baseline --sbom dist/app.cdx.json --scan dist/scan.json \
      --artifact dist/app --bundle dist/app.sigstore.json --key release.pub
  sdlkit policy check --policy policies/release.yaml --format markdown >> "$GITHUB_STEP_SUMMARY"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(o.format, "table", "json", "markdown"); err != nil {
				return err
			}
			return runPolicyCheck(cmd, a, &o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.policy, "policy", "", "a built-in policy's name or a policy file")
	f.StringVar(&o.sbom, "sbom", "", "the release's SBOM (CycloneDX or SPDX)")
	f.StringVar(&o.scan, "scan", "", "the release's scan result (sdlkit scan --format json)")
	f.StringArrayVar(&o.artifacts, "artifact", nil, "a released file (repeatable)")
	f.StringArrayVar(&o.bundles, "bundle", nil, "a signature or attestation bundle over an artifact (repeatable)")
	f.StringVar(&o.version, "version", "", "the release (default: the SBOM's product version)")
	f.StringVarP(&o.format, "format", "f", "table", "output format: table, json or markdown")
	_ = cmd.MarkFlagRequired("policy")
	o.verify.registerPolicy(cmd)
	o.rec.register(cmd)
	return cmd
}

func runPolicyCheck(cmd *cobra.Command, a *app, o *policyCheckOptions) error {
	ctx := cmd.Context()
	p, err := loadPolicy(ctx, o.policy)
	if err != nil {
		return err
	}
	l, err := o.rec.open(ctx, a)
	if err != nil {
		return err
	}
	in, err := o.gather(cmd, a)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	d, err := p.Evaluate(ctx, *in, now)
	var ee *policies.EvalError
	if errors.As(err, &ee) {
		return inputError(err)
	}
	if err != nil {
		return err
	}
	if err := printDecision(a.out, o.format, d); err != nil {
		return err
	}
	if l != nil {
		data, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return err
		}
		verdict := "allowed"
		if !d.Allowed {
			verdict = "denied"
		}
		ev := evidence{kind: "gate-decision", producer: "sdlkit policy check", version: d.Release.Version,
			subject: &ledger.Subject{Name: "policy " + p.Name, Digest: p.Digest},
			summary: fmt.Sprintf("policy %s: release %s (%d passed, %d warned, %d denied)", p.Name, verdict, d.Passed, d.Warned, d.Denied),
			facts:   map[string]string{"policy": p.Name, "allowed": fmt.Sprint(d.Allowed), "denied": fmt.Sprint(d.Denied), "warned": fmt.Sprint(d.Warned)},
			blobs:   []ledger.Blob{{Name: "decision-" + p.Name + ".json", Data: append(data, '\n')}}}
		if err := o.rec.append(ctx, a, l, ev); err != nil {
			return err
		}
	}
	if !d.Allowed {
		return checkFailed(fmt.Errorf("policy %s denies release %s %s: %d rule(s) failed", p.Name, textsafe.Escape(d.Release.Product), textsafe.Escape(d.Release.Version), d.Denied))
	}
	return nil
}

// gather reads every input the flags name into the policy's input.
func (o *policyCheckOptions) gather(cmd *cobra.Command, a *app) (*policies.Input, error) {
	ctx := cmd.Context()
	in := &policies.Input{Release: policies.Release{Version: o.version}}
	if o.sbom != "" {
		data, err := readlimit.ReadFile(ctx, o.sbom, readlimit.Kind{Name: "sbom", Limit: 256 << 20})
		if err != nil {
			return nil, inputError(err)
		}
		b, err := format.Decode(bytes.NewReader(data), o.sbom)
		if err != nil {
			return nil, inputError(err)
		}
		rep, err := validate.Document(data, o.sbom)
		if err != nil {
			return nil, inputError(err)
		}
		in.SBOM = policies.SBOMFacts(b, rep)
		in.Release.Product = b.Product.Name
		if in.Release.Version == "" {
			in.Release.Version = b.Product.Version
		}
	}
	if o.scan != "" {
		res, err := readScanResult(ctx, o.scan)
		if err != nil {
			return nil, err
		}
		in.Scan = policies.ScanFacts(res, time.Now())
	}
	arts, err := o.artifactFacts(cmd, a)
	if err != nil {
		return nil, err
	}
	in.Artifacts = arts
	lf, err := o.ledgerFacts(ctx, a, in.Release)
	if err != nil {
		return nil, err
	}
	in.Ledger = lf
	return in, nil
}

// readScanResult reads an sdlkit scan result.
func readScanResult(ctx context.Context, path string) (*scan.Result, error) {
	data, err := readlimit.ReadFile(ctx, path, readlimit.Kind{Name: "scan result", Limit: maxScanEvidence})
	if err != nil {
		return nil, inputError(err)
	}
	if !utf8.Valid(data) {
		return nil, inputError(fmt.Errorf("read scan result %q: not valid UTF-8", path))
	}
	var res scan.Result
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&res); err != nil || !strings.HasPrefix(res.Schema, "https://sdlkit.dev/scan-result/") {
		return nil, inputError(fmt.Errorf("read scan result %q: not an sdlkit scan result (sdlkit scan --format json)", path))
	}
	return &res, nil
}

// artifactFacts hashes the artifacts and verifies each bundle against
// them: a message signature over an artifact's digest signs it; an
// attestation whose subject is an artifact attests it.
func (o *policyCheckOptions) artifactFacts(cmd *cobra.Command, a *app) ([]policies.Artifact, error) {
	ctx := cmd.Context()
	var arts []policies.Artifact
	var digests []signing.Digest
	for _, f := range o.artifacts {
		d, err := signing.DigestFile(ctx, f)
		if err != nil {
			return nil, inputError(err)
		}
		arts = append(arts, policies.Artifact{Name: filepath.Base(f), Digest: d.String(), Attestations: []string{}})
		digests = append(digests, d)
	}
	if len(o.bundles) == 0 {
		return arts, nil
	}
	pol, err := o.verify.policy(cmd)
	if err != nil {
		return nil, err
	}
	for _, path := range o.bundles {
		b, err := signing.ReadBundleFileContext(ctx, path)
		if err != nil {
			return nil, inputError(err)
		}
		if err := o.verify.addTrustedRoot(ctx, a, b, &pol); err != nil {
			return nil, err
		}
		if !applyBundle(arts, digests, b, pol) {
			a.warnf("bundle %s verifies no --artifact with the key or identity given", textsafe.Escape(path))
		}
	}
	return arts, nil
}

// applyBundle verifies b against each artifact's digest under pol and
// marks what it proves: a message signature signs the artifact, an
// attestation whose subject it is attests it. It reports whether b
// verified against any artifact.
func applyBundle(arts []policies.Artifact, digests []signing.Digest, b *signing.Bundle, pol signing.Policy) bool {
	matched := false
	for i, d := range digests {
		res, err := signing.Verify(b, d, pol)
		if err != nil {
			continue
		}
		matched = true
		if res.PredicateType != "" {
			arts[i].Attestations = append(arts[i].Attestations, res.PredicateType)
			continue
		}
		arts[i].Signed, arts[i].Signer = true, cmp.Or(res.Identity, "key")
	}
	return matched
}

// ledgerFacts reads the ledger's status for the release when a ledger is
// at hand ($SDLKIT_LEDGER, --ledger, or this repository's branch);
// without one, the input says so (present: false).
func (o *policyCheckOptions) ledgerFacts(ctx context.Context, a *app, rel policies.Release) (policies.Ledger, error) {
	c, err := o.rec.ledger.catalog.load(ctx)
	if err != nil {
		return policies.Ledger{}, err
	}
	l, err := ledger.Open(o.rec.ledger.location(a), c)
	if err != nil {
		if o.rec.ledger.path != "" || a.getenv(ledgerEnv) != "" {
			return policies.Ledger{}, ledgerError(err)
		}
		return policies.Ledger{}, nil
	}
	st, err := l.Status(ctx, ledger.StatusOptions{Version: rel.Version})
	if err != nil {
		return policies.Ledger{}, ledgerError(err)
	}
	return policies.LedgerFacts(st, c), nil
}

func printDecision(w io.Writer, format string, d *policies.Decision) error {
	switch format {
	case "json":
		return writeJSON(w, d)
	case "markdown":
		verdict := "✅ allowed"
		if !d.Allowed {
			verdict = "❌ denied"
		}
		fmt.Fprintf(w, "## Release gate: policy %s\n\n**%s** — %d passed, %d warned, %d denied.\n\n| Rule | Outcome | Requirements | Why |\n|---|---|---|---|\n",
			mdCell(d.Policy), verdict, d.Passed, d.Warned, d.Denied)
		for _, r := range d.Results {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", mdCell(r.Rule), r.Outcome, strings.Join(r.Requirements, ", "), mdCell(valuesText(r.Values)))
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OUTCOME\tRULE\tREQUIREMENTS\tVALUES")
	for _, r := range d.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Outcome, r.Rule, strings.Join(r.Requirements, ","), textsafe.Cell(valuesText(r.Values)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := "allowed"
	if !d.Allowed {
		verdict = "DENIED"
	}
	_, err := fmt.Fprintf(w, "\npolicy %s (%s): release %s %s %s: %d passed, %d warned, %d denied\n", d.Policy, d.Digest[:19], textsafe.Escape(d.Release.Product), textsafe.Escape(d.Release.Version), verdict, d.Passed, d.Warned, d.Denied)
	return err
}

// valuesText renders a rule's explain values on one line.
func valuesText(v any) string {
	if v == nil {
		return "-"
	}
	data, err := json.Marshal(v)
	if err != nil || string(data) == "[]" || string(data) == "null" {
		return "-"
	}
	s := string(data)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "`", "\\`").Replace(s)
}
