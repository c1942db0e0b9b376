package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/internal/textsafe"
	"github.com/sdlkit/sdlkit/signing"
	"github.com/sdlkit/sdlkit/vulnmgmt/advisories"
)

// importMemoryLimit is the soft memory limit of an import, unless
// GOMEMLIMIT sets one: an import's heap is mostly garbage between
// collections, which doubled its peak (about 500 MiB for 300,000 records)
// without a limit.
const importMemoryLimit = 256 << 20

// limitImportMemory applies importMemoryLimit to this process and returns
// the function that restores the limit before.
func limitImportMemory(a *app) (restore func()) {
	if a.getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	prev := debug.SetMemoryLimit(importMemoryLimit)
	return func() { debug.SetMemoryLimit(prev) }
}

// dbEnv overrides the advisory store's directory.
const dbEnv = "SDLKIT_DB"

// dbOptions is the --db flag of every command that uses the store.
type dbOptions struct {
	dir string
}

func (o *dbOptions) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.dir, "db", "", "the advisory store `DIR` (default: $"+dbEnv+", else the user cache directory's sdlkit/advisories)")
}

// resolve returns the store directory: --db, $SDLKIT_DB, or the user cache
// directory ($XDG_CACHE_HOME/sdlkit/advisories on Linux).
func (o *dbOptions) resolve(a *app) (string, error) {
	if o.dir != "" {
		return o.dir, nil
	}
	if d := a.getenv(dbEnv); d != "" {
		return d, nil
	}
	cache := a.getenv("XDG_CACHE_HOME")
	if cache == "" {
		var err error
		if cache, err = os.UserCacheDir(); err != nil {
			return "", usageErrorf("no advisory store directory: pass --db DIR or set %s (%v)", dbEnv, err)
		}
	}
	return filepath.Join(cache, "sdlkit", "advisories"), nil
}

// openStore opens the store for a scan; with none, the error says how to
// get one.
func (o *dbOptions) open(a *app) (*advisories.Store, error) {
	dir, err := o.resolve(a)
	if err != nil {
		return nil, err
	}
	s, err := advisories.Open(dir)
	if errors.Is(err, advisories.ErrNoStore) {
		return nil, inputError(err,
			"on a connected machine: sdlkit advisories fetch",
			"offline: sdlkit advisories import ECOSYSTEM-all.zip (an OSV export) or a signed snapshot from 'sdlkit advisories export'")
	}
	if err != nil {
		return nil, inputError(err)
	}
	return s, nil
}

func newAdvisoriesCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "advisories",
		Short: "The offline OSV advisory store: import, fetch, status, export",
		Long: `The advisory store holds OSV advisories for offline scanning ('sdlkit scan').
It is fed on a connected machine with 'advisories fetch' (the OSV project's
per-ecosystem exports), or offline with 'advisories import' of those exports,
of directories of OSV files, or of a signed snapshot made with 'advisories
export' on a connected machine and carried across the air gap.

The store lives in the user cache directory (sdlkit/advisories), or where
--db or $SDLKIT_DB say.`,
	}
	cmd.AddCommand(newAdvisoriesImportCmd(a), newAdvisoriesStatusCmd(a), newAdvisoriesFetchCmd(a), newAdvisoriesExportCmd(a))
	return cmd
}

// snapshotPolicy are the flags that say whom a snapshot must be signed by.
type snapshotPolicy struct {
	key, identity, identityRegexp, issuer, issuerRegexp, trustedRoot string
	insecureUnsigned                                                 bool
}

func (o *snapshotPolicy) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.key, "snapshot-key", "", "public key (PEM) a snapshot must be signed with")
	f.StringVar(&o.identity, "certificate-identity", "", "signer identity a keyless snapshot's certificate must name")
	f.StringVar(&o.identityRegexp, "certificate-identity-regexp", "", "Go regular expression the certificate identity must match")
	f.StringVar(&o.issuer, "certificate-oidc-issuer", "", "OIDC issuer the certificate must name")
	f.StringVar(&o.issuerRegexp, "certificate-oidc-issuer-regexp", "", "Go regular expression the OIDC issuer must match")
	f.StringVar(&o.trustedRoot, "trusted-root", "", "Sigstore trusted_root.json for keyless snapshots (no network)")
	f.BoolVar(&o.insecureUnsigned, "insecure-unsigned", false, "import a snapshot without checking its signature (it may have been altered)")
	for _, id := range []string{"certificate-identity", "certificate-identity-regexp", "certificate-oidc-issuer", "certificate-oidc-issuer-regexp", "insecure-unsigned"} {
		cmd.MarkFlagsMutuallyExclusive("snapshot-key", id)
	}
	cmd.MarkFlagsMutuallyExclusive("certificate-identity", "certificate-identity-regexp")
	cmd.MarkFlagsMutuallyExclusive("certificate-oidc-issuer", "certificate-oidc-issuer-regexp")
}

func (o *snapshotPolicy) given() bool {
	return o.key != "" || o.identity != "" || o.identityRegexp != "" || o.issuer != "" || o.issuerRegexp != ""
}

// verify checks a snapshot's bundle over its manifest and records who
// signed it.
func (o *snapshotPolicy) verify(ctx context.Context, s *advisories.Snapshot) error {
	if o.insecureUnsigned && !o.given() {
		s.InsecureUnsigned = true
		return nil
	}
	if !o.given() {
		return usageErrorf("import snapshot %q: give --snapshot-key PUB, or --certificate-identity[-regexp] with --certificate-oidc-issuer[-regexp] and --trusted-root, to check who signed it (or --insecure-unsigned)", s.Path)
	}
	if s.Bundle == nil {
		return inputError(fmt.Errorf("import snapshot %q: it is not signed", s.Path), "a snapshot made with 'sdlkit advisories export --key KEY' is signed; --insecure-unsigned imports an unsigned one")
	}
	b, err := signing.ReadBundle(s.Path+":manifest.json.sigstore.json", s.Bundle)
	if err != nil {
		return inputError(fmt.Errorf("import snapshot %q: %w", s.Path, err))
	}
	var p signing.Policy
	switch {
	case o.key != "":
		pub, err := signing.LoadPublicKey(ctx, o.key, nil)
		if err != nil {
			return keyError(err)
		}
		p.PublicKey = pub
		der, err := signing.MarshalPublicKey(pub)
		if err != nil {
			return inputError(err)
		}
		sum := sha256.Sum256(der)
		s.Signer = "key sha256:" + hex.EncodeToString(sum[:])
	case (o.identity == "" && o.identityRegexp == "") || (o.issuer == "" && o.issuerRegexp == ""):
		return usageErrorf("a certificate identity needs both --certificate-identity[-regexp] and --certificate-oidc-issuer[-regexp]")
	default:
		p.Identity = &signing.Identity{SAN: o.identity, SANRegexp: o.identityRegexp, Issuer: o.issuer, IssuerRegexp: o.issuerRegexp}
		if o.trustedRoot == "" {
			return usageErrorf("a keyless snapshot is checked offline against --trusted-root trusted_root.json")
		}
		tr, err := signing.LoadTrustedRootContext(ctx, o.trustedRoot)
		if err != nil {
			return inputError(err)
		}
		p.TrustedRoot = tr
	}
	res, err := signing.Verify(b, signing.DigestBytes(s.Manifest), p)
	if err != nil {
		return inputError(fmt.Errorf("import snapshot %q: %w", s.Path, err), "the snapshot was altered, or signed by someone else: check --snapshot-key or the certificate identity")
	}
	if res.Identity != "" {
		s.Signer = res.Identity + " (" + res.Issuer + ")"
	}
	s.Verified = true
	return nil
}

func newAdvisoriesImportCmd(a *app) *cobra.Command {
	var db dbOptions
	var policy snapshotPolicy
	cmd := &cobra.Command{
		Use:   "import SRC...",
		Short: "Import OSV exports, directories of OSV files or signed snapshots into the store",
		Long: `Import adds advisories to the store. Each SRC is one of:

  - an OSV export: the per-ecosystem all.zip the OSV project publishes
    (https://osv-vulnerabilities.storage.googleapis.com/ECOSYSTEM/all.zip),
  - a directory of OSV records, JSON or YAML (e.g. a clone of an advisory
    database such as github/advisory-database or pypa/advisory-database),
  - a snapshot made by 'sdlkit advisories export': its signature is checked
    first, with --snapshot-key or a certificate identity and --trusted-root,
    and an unsigned or altered snapshot is refused unless --insecure-unsigned.

A newer record replaces an older one of the same id (by its modified time);
withdrawn records are kept and never match. Records that are not valid OSV
are skipped, counted and listed by 'advisories status'. The import is one
transaction: interrupted or failed, it leaves the store as it was.`,
		Example: `  sdlkit advisories import Go-all.zip npm-all.zip PyPI-all.zip
  sdlkit advisories import ./advisory-database/advisories/github-reviewed
  sdlkit advisories import advisories-2026-12-06.zip --snapshot-key supplier.pub`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAdvisoriesImport(cmd.Context(), a, db, policy, args)
		},
	}
	db.register(cmd)
	policy.register(cmd)
	return cmd
}

func runAdvisoriesImport(ctx context.Context, a *app, db dbOptions, policy snapshotPolicy, srcs []string) error {
	dir, err := db.resolve(a)
	if err != nil {
		return err
	}
	sources, err := importSourceList(ctx, policy, srcs)
	if err != nil {
		return err
	}
	return importSources(ctx, a, dir, sources)
}

// importSourceList checks each source and opens snapshots, whose
// signature policy must then be given: a snapshot is imported only when
// its signer verifies. A pipe or device is never opened here.
func importSourceList(ctx context.Context, policy snapshotPolicy, srcs []string) ([]advisories.Source, error) {
	var sources []advisories.Source
	for _, src := range srcs {
		if info, err := os.Stat(src); err != nil {
			return nil, inputError(fmt.Errorf("read advisories %q: %w", src, unwrapPathErr(err)))
		} else if info.Mode().IsRegular() && advisories.IsSnapshot(src) {
			snap, err := advisories.OpenSnapshot(src)
			if err != nil {
				return nil, inputError(err)
			}
			if err := policy.verify(ctx, snap); err != nil {
				return nil, err
			}
			sources = append(sources, advisories.Source{Path: src, Snapshot: snap})
			continue
		}
		sources = append(sources, advisories.Source{Path: src})
	}
	return sources, nil
}

// importSources imports sources into the store in dir, with progress on a
// terminal, and says what each added.
func importSources(ctx context.Context, a *app, dir string, sources []advisories.Source) error {
	defer limitImportMemory(a)()
	meter := a.progressCount("importing advisories", "records")
	info, err := advisories.Import(ctx, dir, sources, advisories.ImportOptions{Progress: func(n int) { meter.Set(int64(n)) }})
	meter.Stop()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return inputError(err)
	}
	for _, s := range info.Sources[len(info.Sources)-len(sources):] {
		a.infof("imported %s: %d read, %d added, %d replaced, %d unchanged, %d skipped", textsafe.Escape(s.Source), s.Read, s.Added, s.Replaced, s.Unchanged, s.Skipped)
	}
	a.infof("advisory store %s: %d records, digest %s", textsafe.Escape(dir), info.Records, info.Digest)
	return nil
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func newAdvisoriesStatusCmd(a *app) *cobra.Command {
	var db dbOptions
	var format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what the advisory store holds: counts per ecosystem, newest record, sources, skipped records, digest",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			s, err := db.open(a)
			if err != nil {
				return err
			}
			defer s.Close()
			info := s.Info()
			if format == "json" {
				return writeJSON(a.out, info)
			}
			return writeStoreInfo(a.out, info)
		},
	}
	db.register(cmd)
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}

// writeStoreInfo renders the store's info for people.
func writeStoreInfo(w io.Writer, info advisories.Info) error {
	fmt.Fprintf(w, "records: %d (%d withdrawn), newest %s\ndigest:  %s\nupdated: %s\n\n", info.Records, info.Withdrawn,
		info.Newest.Format(time.RFC3339), info.Digest, info.Updated.Format(time.RFC3339))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ECOSYSTEM\tRECORDS\tNEWEST")
	for _, eco := range slices.Sorted(mapKeys(info.Ecosystems)) {
		e := info.Ecosystems[eco]
		fmt.Fprintf(tw, "%s\t%d\t%s\n", textsafe.Cell(eco), e.Records, e.Newest.Format("2006-01-02"))
	}
	fmt.Fprintln(tw, "\nSOURCE\tKIND\tIMPORTED\tREAD\tADDED\tREPLACED\tSKIPPED\tSIGNED BY")
	for _, s := range info.Sources {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", textsafe.Cell(s.Source), s.Kind, s.Imported.Format("2006-01-02 15:04"), s.Read, s.Added, s.Replaced, s.Skipped, textsafe.Cell(s.Signer))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if info.SkippedTotal > 0 {
		fmt.Fprintf(w, "\nskipped: %d records (the newest %d listed)\n", info.SkippedTotal, len(info.Skipped))
		for _, s := range info.Skipped {
			fmt.Fprintf(w, "  %s: %s\n", textsafe.Escape(s.Entry), textsafe.Escape(s.Reason))
		}
	}
	return nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func newAdvisoriesExportCmd(a *app) *cobra.Command {
	var db dbOptions
	var signer signerOptions
	cmd := &cobra.Command{
		Use:   "export OUT",
		Short: "Write the whole store as one signed snapshot file, to carry across an air gap",
		Long: `Export writes every advisory of the store, a manifest of their SHA-256
digests with the store's digest and sources, and a Sigstore bundle over the
manifest, into one zip file. On the isolated side, 'sdlkit advisories import
OUT --snapshot-key PUB' (or a certificate identity with --trusted-root)
checks the signature and every record before anything is imported.`,
		Example: `  sdlkit advisories export advisories-$(date +%F).zip --key supplier.key
  sdlkit advisories export advisories.zip --keyless   # in GitHub Actions`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := signer.check(cmd); err != nil {
				return err
			}
			return runAdvisoriesExport(cmd.Context(), a, db, &signer, args[0])
		},
	}
	db.register(cmd)
	signer.register(cmd)
	return cmd
}

func runAdvisoriesExport(ctx context.Context, a *app, db dbOptions, so *signerOptions, out string) error {
	dir, err := db.resolve(a)
	if err != nil {
		return err
	}
	outputs := []namedPath{{kind: "snapshot", path: out}}
	if err := checkOutputs(outputs, append(so.inputs(), namedPath{kind: "advisory store", path: advisories.Path(dir)})); err != nil {
		return err
	}
	if _, err := os.Stat(advisories.Path(dir)); err != nil {
		_, err = db.open(a)
		return err
	}
	s, err := so.signer(ctx, a)
	if err != nil {
		return err
	}
	pending, err := createOutputs(outputs, atomicfile.Options{})
	if err != nil {
		return err
	}
	defer abortOutputs(pending)
	sign := func(manifest []byte) ([]byte, error) {
		b, err := s.SignDigest(ctx, signing.DigestBytes(manifest), so.signOptions())
		if err != nil {
			return nil, err
		}
		return b.Encode()
	}
	var w io.Writer = pending[0]
	if pending[0] == nil {
		w = a.out
	}
	m, err := advisories.Export(ctx, dir, w, time.Now(), sign)
	if err != nil {
		return inputError(err)
	}
	if err := commitOutputs(pending); err != nil {
		return err
	}
	a.infof("exported %d records of store %s to %s", len(m.Records), m.StoreDigest, textsafe.Escape(cmp.Or(out, "-")))
	return nil
}

// defaultEcosystems are fetched when --ecosystem is not given: those whose
// lockfiles 'sdlkit sbom generate' reads.
var defaultEcosystems = []string{"Go", "npm", "PyPI", "crates.io", "Maven", "NuGet", "RubyGems", "Packagist"}

func newAdvisoriesFetchCmd(a *app) *cobra.Command {
	var db dbOptions
	var ecosystems []string
	var baseURL string
	cmd := &cobra.Command{
		Use:   "fetch",
		Short: "Download the OSV exports of some ecosystems and import them (on a connected machine)",
		Long: `Fetch downloads each ecosystem's all.zip from the OSV project's exports
(or --base-url, e.g. a mirror inside the plant) and imports them, as
'advisories import' does. On an isolated network, run it on a connected
machine and carry the store across with 'advisories export'.`,
		Example: `  sdlkit advisories fetch
  sdlkit advisories fetch --ecosystem Go --ecosystem npm
  sdlkit advisories fetch --base-url https://osv-mirror.plant.example`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAdvisoriesFetch(cmd.Context(), a, db, cmp.Or(baseURL, advisories.DefaultExportURL), ecosystems)
		},
	}
	db.register(cmd)
	cmd.Flags().StringArrayVar(&ecosystems, "ecosystem", nil, "an OSV ecosystem to fetch (repeatable; default: "+strings.Join(defaultEcosystems, ", ")+")")
	cmd.Flags().StringVar(&baseURL, "base-url", "", "where the exports are: BASE/ECOSYSTEM/all.zip (default "+advisories.DefaultExportURL+")")
	return cmd
}

func runAdvisoriesFetch(ctx context.Context, a *app, db dbOptions, base string, ecosystems []string) error {
	dir, err := db.resolve(a)
	if err != nil {
		return err
	}
	if len(ecosystems) == 0 {
		ecosystems = defaultEcosystems
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return inputError(fmt.Errorf("fetch advisories: %w", err))
	}
	tmp, err := os.MkdirTemp(dir, ".fetch-")
	if err != nil {
		return inputError(fmt.Errorf("fetch advisories: %w", err))
	}
	defer os.RemoveAll(tmp)
	var sources []advisories.Source
	for _, eco := range ecosystems {
		meter := a.progress("downloading " + eco)
		path, err := advisories.Download(ctx, base, eco, tmp, func(n int64) { meter.Set(n) })
		meter.Stop()
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return err
			}
			return inputError(err, "check --base-url and the network; offline, import exports carried in with 'advisories import'")
		}
		sources = append(sources, advisories.Source{Path: path, Name: advisories.ExportURL(base, eco)})
	}
	return importSources(ctx, a, dir, sources)
}
