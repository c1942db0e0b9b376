package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/project"
	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/internal/textsafe"
	"github.com/sdlkit/sdlkit/policies"
	"github.com/sdlkit/sdlkit/practices/ledger"
	"github.com/sdlkit/sdlkit/signing"
	"github.com/sdlkit/sdlkit/vulnmgmt/vex"
)

// runOptions are the flags of 'sdlkit run'; each overrides its key of the
// project file for one run.
type runOptions struct {
	config    string
	product   string
	version   string
	source    string
	artifacts []string
	policy    string
	evidence  string
	vex       []string
	db        dbOptions
	imports   []string
	snapKey   string
	maxAge    string
	format    string
	sign      signerOptions
	ledger    ledgerOptions
}

func newRunCmd(a *app) *cobra.Command {
	var opts runOptions
	cmd := &cobra.Command{
		Use:   "run [--config sdlkit.yaml] [--artifact GLOB]... [--version V] [--key KEY | --keyless]",
		Short: "Run the release chain: SBOM, scan, sign, attest, gate, record, checkpoint",
		Long: `Run makes the evidence of one release and records it, in one command:

  1. advisories  import the configured OSV exports or signed snapshots into
                 the offline store (or fetch them, on a connected machine)
  2. sbom        the SBOM of the source tree, bound to the artifacts by digest
  3. scan        the SBOM against the store, with the VEX files applied
  4. sign        a Sigstore bundle per artifact
  5. attest      the SBOM, the scan, each VEX file and an SLSA v1 provenance
                 of this run (source commit, builder, config digest), attested
                 to all artifacts
  6. policy      the release gate over all of the above and the ledger's
                 status for the release (as if this run's records were in it)
  7. release     the manifest of the release evidence, signed
  8. record      every piece into the evidence ledger, then a checkpoint

It reads sdlkit.yaml ('sdlkit init' writes one) when present or named by
--config; flags override its keys for one run, so it also runs with no file
at all. The version is --version, else the file's, else the git tag on HEAD,
else a pseudo-version of the commit (with a warning).

Everything goes into the evidence folder (dist/evidence): release/ holds
what the signed manifest lists (verify it with 'sdlkit release verify
dist/evidence/release --key KEY.pub'); index.json and index.md say what the
run did, step by step, with the ledger's records and checkpoint.

Nothing is half-done. The signing comes before the gate, because the gate
checks the signatures it is about to release; but the evidence folder is
built aside and put in place only when every step passed, and the ledger is
written only by the last step. A failed run leaves the evidence folder and
the ledger as they were; what it made is kept in EVIDENCE.incomplete with a
note naming the step that failed.

Run twice, nothing is recorded twice: each piece of evidence carries a key
made of its inputs (the artifacts' digests, the store's digest, the VEX
files, the policy…); a piece whose key the ledger already holds for the
release is taken from the ledger, not made again.

One line per step on a terminal; quiet otherwise. Exit status: 0 the release
passed; 1 the gate denied it or the store is stale; 2 bad input or usage.`,
		Example: `  sdlkit init && sdlkit run
  sdlkit run --artifact 'dist/app-*' --version v1.4.0 --key release.key
  sdlkit run --keyless --evidence-dir out/evidence   # in GitHub Actions`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(opts.format, "text", "json"); err != nil {
				return err
			}
			plan, err := opts.plan(cmd, a)
			if err != nil {
				return err
			}
			return runRelease(cmd.Context(), a, plan)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.config, "config", "c", "", "the project file (default sdlkit.yaml, when present)")
	f.StringVar(&opts.product, "product", "", "the product's name (default: the project file's, else the source's)")
	f.StringVar(&opts.version, "version", "", "the release (default: the git tag on HEAD)")
	f.StringVar(&opts.source, "source", "", "the source tree the SBOM is made from (default .)")
	f.StringArrayVar(&opts.artifacts, "artifact", nil, "a `GLOB` of built files to release (repeatable; replaces the file's artifacts)")
	f.StringVar(&opts.policy, "policy", "", "the release gate: a built-in policy or a policy file (default baseline)")
	f.StringVar(&opts.evidence, "evidence-dir", "", "the evidence folder (default dist/evidence)")
	f.StringArrayVar(&opts.vex, "vex", nil, "a VEX `FILE` applied to the scan (repeatable; replaces the file's vex)")
	opts.db.register(cmd)
	f.StringArrayVar(&opts.imports, "import", nil, "an OSV export or signed snapshot imported into the store first (repeatable)")
	f.StringVar(&opts.snapKey, "snapshot-key", "", "the public key an imported advisory snapshot must be signed with")
	f.StringVar(&opts.maxAge, "max-age", "", "fail when the store's newest advisory is older than this (7d, 36h; off: no check)")
	f.StringVarP(&opts.format, "format", "f", "text", "stdout: text (the evidence folder's path) or json (index.json)")
	opts.sign.registerOptional(cmd)
	f.StringVar(&opts.ledger.path, "ledger", "", "the ledger's repository (default $"+ledgerEnv+", else the sdlkit-ledger branch of this repository)")
	opts.ledger.branch = ledger.DefaultBranch
	f.StringVar(&opts.ledger.signingKey, "signing-key", "", "sign the ledger's commits with this SSH or OpenPGP key (see 'sdlkit ledger')")
	opts.ledger.catalog.register(cmd)
	return cmd
}

// runPlan is a run's resolved inputs: the project file with every flag
// applied, and what was derived from the repository.
type runPlan struct {
	cfg        *project.Config
	configData []byte
	artifacts  []string
	// product is the project's, else the source's manifest's, else the
	// source directory's name.
	product string
	version string
	commit  string
	sign    signerOptions
	ledger  ledgerOptions
	db      dbOptions
	format  string
	policy  *policies.Policy
	vex     []runVEX
	started time.Time
}

// runVEX is a VEX file, read and parsed before the run makes anything.
type runVEX struct {
	name       string
	data       []byte
	digest     signing.Digest
	statements []vex.Statement
}

// plan loads the project file, applies the flags and checks every input
// before anything is made: a pattern that matches nothing, a missing
// signing method and an evidence folder among the inputs are errors here.
func (o *runOptions) plan(cmd *cobra.Command, a *app) (*runPlan, error) {
	ctx := cmd.Context()
	p := &runPlan{cfg: &project.Config{}, started: time.Now().UTC(), format: o.format, sign: o.sign, ledger: o.ledger, db: o.db}
	path := o.config
	if path == "" {
		if _, err := os.Stat(project.DefaultName); err == nil {
			path = project.DefaultName
		}
	}
	if path != "" {
		c, err := project.Load(ctx, path)
		if err != nil {
			return nil, inputError(err, "'sdlkit init' writes a commented sdlkit.yaml")
		}
		p.cfg = c
		p.configData = c.Data
	}
	c := p.cfg
	if err := o.override(cmd, c); err != nil {
		return nil, err
	}
	if err := p.resolveSigning(cmd, a); err != nil {
		return nil, err
	}
	if len(c.Artifacts) == 0 {
		return nil, usageErrorf("sdlkit run: no artifacts: give --artifact GLOB, or artifacts in %s", cmp.Or(c.File, project.DefaultName))
	}
	arts, err := c.MatchArtifacts()
	if err != nil {
		return nil, inputError(err, "build the artifacts first, or fix the pattern")
	}
	p.artifacts = arts
	if p.ledger.path == "" && c.Ledger != "" {
		p.ledger.path = c.Path(c.Ledger)
	}
	if p.db.dir == "" && c.Advisories.DB != "" {
		p.db.dir = c.Path(c.Advisories.DB)
	}
	if err := p.checkPaths(); err != nil {
		return nil, err
	}
	p.product = cmp.Or(c.Product, detectProduct(c.Source))
	if p.policy, err = loadPolicy(ctx, c.Policy); err != nil {
		return nil, err
	}
	if err := p.readVEX(ctx); err != nil {
		return nil, err
	}
	return p, p.resolveVersion(a)
}

// override applies the flags the user set to the project file's values and
// fills in the defaults.
func (o *runOptions) override(cmd *cobra.Command, c *project.Config) error {
	set := cmd.Flags().Changed
	abs := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
		return p
	}
	if set("max-age") {
		c.Advisories.MaxAge = 0
		if o.maxAge != "off" {
			d, err := project.ParseAge(o.maxAge)
			if err != nil {
				return usageErrorf("--max-age %q: %v (or off)", o.maxAge, err)
			}
			c.Advisories.MaxAge = d
		}
	}
	if set("product") {
		c.Product = o.product
	}
	if set("version") {
		c.Version = o.version
	}
	if set("source") {
		c.Source = o.source
	}
	if set("policy") {
		c.Policy = o.policy
	}
	if set("evidence-dir") {
		c.Evidence = o.evidence
	}
	if set("artifact") {
		c.Artifacts = nil
		for _, g := range o.artifacts {
			c.Artifacts = append(c.Artifacts, project.Pattern{Glob: g})
		}
	}
	if set("vex") {
		c.VEX = o.vex
	}
	if set("import") {
		c.Advisories.Import = o.imports
	}
	if set("snapshot-key") {
		c.Advisories.SnapshotKey = abs(o.snapKey)
	}
	// Flags are relative to the working directory, the file's keys to
	// the file: flag values are made absolute so that Path leaves them be.
	if set("source") {
		c.Source = abs(c.Source)
	}
	if set("evidence-dir") {
		c.Evidence = abs(c.Evidence)
	}
	if set("vex") {
		for i := range c.VEX {
			c.VEX[i] = abs(c.VEX[i])
		}
	}
	if set("import") {
		for i := range c.Advisories.Import {
			c.Advisories.Import[i] = abs(c.Advisories.Import[i])
		}
	}
	c.Source = c.Path(cmp.Or(c.Source, "."))
	c.Evidence = c.Path(cmp.Or(c.Evidence, filepath.Join("dist", "evidence")))
	c.Policy = cmp.Or(c.Policy, "baseline")
	if set("policy") && strings.ContainsAny(c.Policy, `/\.`) {
		c.Policy = abs(c.Policy)
	} else if strings.ContainsAny(c.Policy, `/\.`) {
		c.Policy = c.Path(c.Policy)
	}
	for i := range c.VEX {
		c.VEX[i] = c.Path(c.VEX[i])
	}
	for i := range c.Advisories.Import {
		c.Advisories.Import[i] = c.Path(c.Advisories.Import[i])
	}
	c.Advisories.SnapshotKey = c.Path(c.Advisories.SnapshotKey)
	return nil
}

// readVEX reads and parses every VEX file; two of one name would collide
// in the evidence folder.
func (p *runPlan) readVEX(ctx context.Context) error {
	seen := map[string]string{}
	for _, f := range p.cfg.VEX {
		data, stmts, err := readVEXFile(ctx, f)
		if err != nil {
			return err
		}
		name := filepath.Base(f)
		if prev, ok := seen[name]; ok {
			return inputError(fmt.Errorf("vex files %q and %q have one name: their evidence would collide", textsafe.Escape(prev), textsafe.Escape(f)))
		}
		seen[name] = f
		p.vex = append(p.vex, runVEX{name: name, data: data, digest: signing.DigestBytes(data), statements: stmts})
	}
	return nil
}

// resolveSigning takes --key/--keyless, else the file's signing section.
func (p *runPlan) resolveSigning(cmd *cobra.Command, a *app) error {
	s := &p.sign
	if s.key == "" && !s.keyless {
		s.key = p.cfg.Path(p.cfg.Signing.Key)
		s.keyless = p.cfg.Signing.Keyless
	}
	if s.key == "" && !s.keyless {
		return usageErrorf("sdlkit run: no signing method: give --key KEY or --keyless, or signing in %s", cmp.Or(p.cfg.File, project.DefaultName))
	}
	if s.keyless && !cmd.Flags().Changed("tlog-upload") {
		s.tlogUpload = true
	}
	return nil
}

// checkPaths refuses an evidence folder that holds or is an input: the
// run replaces the folder whole.
func (p *runPlan) checkPaths() error {
	ev, err := filepath.Abs(p.cfg.Evidence)
	if err != nil {
		return inputError(err)
	}
	if fi, err := os.Lstat(ev); err == nil && !fi.IsDir() {
		return inputError(fmt.Errorf("evidence folder %q: it is %s, not a folder", textsafe.Escape(p.cfg.Evidence), readlimit.Describe(fi.Mode())))
	}
	inputs := []namedPath{{"source", p.cfg.Source}, {"ledger", p.ledger.path}, {"advisory store", p.db.dir}, {"project file", p.cfg.File}}
	for _, f := range p.artifacts {
		inputs = append(inputs, namedPath{"artifact", f})
	}
	for _, f := range p.cfg.VEX {
		inputs = append(inputs, namedPath{"vex", f})
	}
	for _, f := range p.cfg.Advisories.Import {
		inputs = append(inputs, namedPath{"advisories", f})
	}
	inputs = append(inputs, p.sign.inputs()...)
	for _, in := range inputs {
		if in.path == "" {
			continue
		}
		abs, err := filepath.Abs(in.path)
		if err != nil {
			continue
		}
		if abs == ev || within(ev, abs) || (in.kind != "source" && within(abs, ev)) {
			return inputError(fmt.Errorf("evidence folder %q: it holds or is the %s %q; the run replaces the folder whole", textsafe.Escape(p.cfg.Evidence), in.kind, textsafe.Escape(in.path)),
				"give another --evidence-dir")
		}
	}
	return nil
}

// within reports whether path lies inside dir.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && filepath.IsLocal(rel)
}

// resolveVersion takes the version given, else the tag on HEAD, else a
// pseudo-version of HEAD; it also notes the source commit.
func (p *runPlan) resolveVersion(a *app) error {
	repo, err := git.PlainOpenWithOptions(p.cfg.Source, &git.PlainOpenOptions{DetectDotGit: true})
	var head *object
	if err == nil {
		head = headCommit(repo)
	}
	if head != nil {
		p.commit = head.hash
	}
	p.version = p.cfg.Version
	switch {
	case p.version != "":
	case head != nil && head.tag != "":
		p.version = head.tag
	case head != nil:
		p.version = fmt.Sprintf("0.0.0-%s-%s", head.time.UTC().Format("20060102150405"), head.hash[:12])
		a.warnf("HEAD has no tag: releasing %s as %s (tag the commit, or give --version)", textsafe.Escape(p.product), p.version)
	default:
		return usageErrorf("sdlkit run: no version: the source is not in a git repository; give --version")
	}
	if strings.ContainsFunc(p.version, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return usageErrorf("sdlkit run: version %q holds spaces or control characters", textsafe.Escape(p.version))
	}
	return nil
}

// object is HEAD's commit: its hash, time and highest tag.
type object struct {
	hash string
	time time.Time
	tag  string
}

func headCommit(repo *git.Repository) *object {
	ref, err := repo.Head()
	if err != nil {
		return nil
	}
	c, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return nil
	}
	o := &object{hash: ref.Hash().String(), time: c.Committer.When}
	tags, err := repo.Tags()
	if err != nil {
		return o
	}
	_ = tags.ForEach(func(t *plumbing.Reference) error {
		h := t.Hash()
		if to, err := repo.TagObject(h); err == nil {
			h = to.Target
		}
		if h == ref.Hash() && t.Name().Short() > o.tag {
			o.tag = t.Name().Short()
		}
		return nil
	})
	return o
}

// runRelease runs every step; see newRunCmd.
func runRelease(ctx context.Context, a *app, p *runPlan) error {
	r, err := newRunner(ctx, a, p)
	if err != nil {
		return err
	}
	return r.run(ctx)
}
