package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/practices/ledger"
	"github.com/sdlkit/sdlkit/signing"
	"github.com/sdlkit/sdlkit/vulnmgmt/csaf"
)

// openPGPPasswordEnv names the variable that holds the OpenPGP key's
// passphrase, when the key is encrypted.
const openPGPPasswordEnv = "SDLKIT_OPENPGP_PASSWORD"

type advisoryPublishOptions struct {
	signerOptions
	baseURL    string
	openPGPKey string
	rec        recordOptions
}

func newAdvisoryPublishCmd(a *app) *cobra.Command {
	var o advisoryPublishOptions
	cmd := &cobra.Command{
		Use:   "publish DIR FILE... --base-url URL [--openpgp-key KEY] [--key KEY | --keyless]",
		Short: "Lay CSAF documents out as a provider directory",
		Long: `Publish puts each valid CSAF document into the provider directory DIR, which
is served at --base-url (the folder behind https://…/.well-known/csaf):
<tlp>/<YYYY>/<name>.json by the document's TLP label and initial release
year, the name by section 5.1 of the standard (the tracking id in lower
case, other characters as _), with .sha256 and .sha512 beside it; index.txt
and changes.csv in each TLP folder; provider-metadata.json at the top.

With --openpgp-key (an ASCII-armoured private key; its passphrase in
$` + openPGPPasswordEnv + ` when it is encrypted) each document gets the
OpenPGP signature (.asc) the standard asks for, and the public key goes to
openpgp/<fingerprint>.asc. With --key or --keyless each document also gets
a Sigstore bundle (.sigstore.json) that 'sdlkit verify' checks offline.

Publishing a document again as it is changes nothing; a document that
differs from the published one needs a higher version ('sdlkit advisory
update'). DIR must be empty, new, or a provider directory. Every file is
checked and made before any is written; the paths of the documents written
are printed on stdout.`,
		Example: `  sdlkit advisory publish site/.well-known/csaf ACME-2026-0007.json \
      --base-url https://psirt.acme.example/.well-known/csaf --openpgp-key psirt.asc --key release.key`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.keyless && !cmd.Flags().Changed("tlog-upload") {
				o.tlogUpload = true
			}
			return runAdvisoryPublish(cmd.Context(), a, args[0], args[1:], &o)
		},
	}
	o.registerOptional(cmd)
	o.rec.register(cmd)
	f := cmd.Flags()
	f.StringVar(&o.baseURL, "base-url", "", "the https:// URL DIR is served at")
	f.StringVar(&o.openPGPKey, "openpgp-key", "", "sign each document with this ASCII-armoured OpenPGP private key `FILE`")
	_ = cmd.MarkFlagRequired("base-url")
	return cmd
}

func runAdvisoryPublish(ctx context.Context, a *app, dir string, files []string, o *advisoryPublishOptions) error {
	tree, err := providerDir(dir)
	if err != nil {
		return err
	}
	srcs, err := readSources(ctx, files)
	if err != nil {
		return err
	}
	popts := csaf.PublishOptions{BaseURL: o.baseURL}
	if o.openPGPKey != "" {
		if popts.Signer, err = o.openPGP(ctx, a); err != nil {
			return err
		}
	}
	l, err := o.rec.open(ctx, a)
	if err != nil {
		return err
	}
	plan, err := csaf.PlanPublish(tree, srcs, popts)
	if err != nil {
		return inputError(err)
	}
	if err := o.sigstore(ctx, a, plan); err != nil {
		return err
	}
	if err := writeProviderFiles(dir, plan.Files); err != nil {
		return err
	}
	for _, d := range plan.Documents {
		fmt.Fprintln(a.out, filepath.Join(dir, filepath.FromSlash(d)))
	}
	a.infof("published %d documents, %d unchanged, %d files written", len(plan.Documents), len(plan.Unchanged), len(plan.Files))
	return o.rec.append(ctx, a, l, advisoryEvidence(plan)...)
}

// providerDir opens DIR for reading: missing is fine (it is made), a file
// is not.
func providerDir(dir string) (fs.FS, error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return emptyFS{}, nil
	case err != nil:
		return nil, inputError(fmt.Errorf("publish to %q: %w", dir, err))
	case !fi.IsDir():
		return nil, inputError(fmt.Errorf("publish to %q: %w: it is %s", dir, csaf.ErrNotProvider, readlimit.Describe(fi.Mode())))
	}
	return os.DirFS(dir), nil
}

// emptyFS is a directory that does not exist yet.
type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func readSources(ctx context.Context, files []string) ([]csaf.Source, error) {
	var srcs []csaf.Source
	for _, f := range files {
		data, err := readlimit.ReadFile(ctx, f, csafInput)
		if err != nil {
			return nil, inputError(err)
		}
		srcs = append(srcs, csaf.Source{File: f, Data: data})
	}
	return srcs, nil
}

func (o *advisoryPublishOptions) openPGP(ctx context.Context, a *app) (*csaf.OpenPGPSigner, error) {
	data, err := readlimit.ReadFile(ctx, o.openPGPKey, readlimit.Kind{Name: "OpenPGP key", Limit: 1 << 20})
	if err != nil {
		return nil, inputError(err)
	}
	now := scanTime(a)
	s, err := csaf.NewOpenPGPSigner(data, []byte(a.getenv(openPGPPasswordEnv)), func() time.Time { return now })
	if err != nil {
		return nil, inputError(fmt.Errorf("%q: %w", o.openPGPKey, err), "set "+openPGPPasswordEnv+" to the key's passphrase")
	}
	return s, nil
}

// sigstore adds a Sigstore bundle beside each document written, when a
// key or keyless signing is given.
func (o *advisoryPublishOptions) sigstore(ctx context.Context, a *app, plan *csaf.Plan) error {
	if o.key == "" && !o.keyless || len(plan.Documents) == 0 {
		return nil
	}
	s, err := o.signer(ctx, a)
	if err != nil {
		return err
	}
	for _, f := range slices.Clone(plan.Files) {
		if !slices.Contains(plan.Documents, f.Path) {
			continue
		}
		b, err := s.SignDigest(ctx, signing.DigestBytes(f.Data), o.signOptions())
		if err != nil {
			return inputError(fmt.Errorf("sign %s: %w", f.Path, err))
		}
		data, err := b.Encode()
		if err != nil {
			return err
		}
		plan.Files = append(plan.Files, csaf.File{Path: f.Path + bundleSuffix, Data: data})
	}
	return nil
}

// writeProviderFiles writes every file or, on error, none.
func writeProviderFiles(dir string, files []csaf.File) error {
	pending := make([]*atomicfile.Pending, 0, len(files))
	defer abortOutputs(pending)
	for _, f := range files {
		full := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return inputError(fmt.Errorf("publish %q: %w", full, err))
		}
		p, err := atomicfile.Create(full, atomicfile.Options{Kind: "provider file"})
		if err != nil {
			return inputError(err)
		}
		pending = append(pending, p)
		if _, err := p.Write(f.Data); err != nil {
			return inputError(fmt.Errorf("write %q: %w", full, err))
		}
	}
	return commitOutputs(pending)
}

// advisoryEvidence records each document published, against the releases
// it covers: one record per release version.
func advisoryEvidence(plan *csaf.Plan) []evidence {
	var evs []evidence
	for _, f := range plan.Files {
		if !slices.Contains(plan.Documents, f.Path) {
			continue
		}
		doc, err := csaf.Parse(f.Data, f.Path)
		if err != nil {
			continue
		}
		blobs := []ledger.Blob{{Name: path.Base(f.Path), Data: f.Data}}
		for _, g := range plan.Files {
			if g.Path == f.Path+".asc" || g.Path == f.Path+bundleSuffix {
				blobs = append(blobs, ledger.Blob{Name: path.Base(g.Path), Data: g.Data})
			}
		}
		t := doc.Document.Tracking
		for _, v := range releaseVersions(doc) {
			evs = append(evs, evidence{
				kind: "advisory", producer: "sdlkit advisory publish", version: v,
				subject: &ledger.Subject{Name: path.Base(f.Path), Digest: signing.DigestBytes(f.Data).String()},
				summary: fmt.Sprintf("%s %s version %s (%s), published as %s: %d vulnerabilities", doc.Document.Category, t.ID, t.Version, t.Status, f.Path, len(doc.Vulnerabilities)),
				facts:   map[string]string{"csaf.id": t.ID, "csaf.version": t.Version, "csaf.status": t.Status, "csaf.category": doc.Document.Category},
				blobs:   blobs,
			})
		}
	}
	return evs
}

// releaseVersions are the product versions of a document's product tree.
func releaseVersions(doc *csaf.Advisory) []string {
	var out []string
	var walk func(bs []*csaf.Branch)
	walk = func(bs []*csaf.Branch) {
		for _, b := range bs {
			if b.Category == "product_version" && !slices.Contains(out, b.Name) {
				out = append(out, b.Name)
			}
			walk(b.Branches)
		}
	}
	if doc.ProductTree != nil {
		walk(doc.ProductTree.Branches)
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}
