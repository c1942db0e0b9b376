package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/sdlkit/sdlkit/practices/ledger"
	"github.com/sdlkit/sdlkit/sbom/cyclonedx"
	"github.com/sdlkit/sdlkit/sbom/generate"
	"github.com/sdlkit/sdlkit/sbom/spdx"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/sbom"
)

// sbomGenerateOptions are the flags of 'sdlkit sbom generate'.
type sbomGenerateOptions struct {
	path        string
	output      string
	format      string
	specVersion string
	// goModuleCache is --go-module-cache.
	goModuleCache bool
	gen           generate.Options
	rec           recordOptions
}

func newSBOMGenerateCmd(a *app) *cobra.Command {
	var opts sbomGenerateOptions
	cmd := &cobra.Command{
		Use:   "generate [PATH]",
		Short: "Make the SBOM of a source tree, a lockfile or a Go binary",
		Long: `Generate walks PATH (default: the current directory) and writes the SBOM of
every component its lockfiles, manifests and Go binaries pin. PATH may also
be one file: a lockfile (read with the manifest beside it) or a Go binary,
whose main module is then the product. The formats: go.mod/go.sum,
Go binaries (build info), package-lock.json (v1-v3, workspaces),
pnpm-lock.yaml, yarn.lock, requirements*.txt, poetry.lock, uv.lock,
Pipfile.lock, Cargo.lock, pom.xml, gradle.lockfile, composer.lock,
Gemfile.lock and packages.lock.json.

Each component has its purl as bom-ref, its scope where the lockfile says,
the hashes the lockfile carries (npm integrity, Cargo checksums, go.sum, pip
and Pipfile.lock hashes, NuGet content hashes, composer dist sums, Bundler
checksums), licenses where known and the files it was found in. The dependency
graph is recorded where the lockfile expresses it. A component found in
several files is one component. Development dependencies are left out unless
--include-dev, which keeps them with scope "excluded".

go.mod names only the product's own requirements; the Go module graph below
them is read from each module's go.mod in the local Go module cache
(GOMODCACHE, else GOPATH/pkg/mod, else ~/go/pkg/mod), as 'go mod graph' does,
so an SBOM made where the product was built has the whole graph. Nothing is
downloaded: a module missing from the cache keeps unknown dependencies. The
SBOM property sdlkit:go-graph says which: module-cache, module-cache-partial
or direct-only. --go-module-cache=false reads nothing outside PATH.

The directories .git, .hg, .svn, node_modules, vendor and testdata are not
searched: node_modules and vendor hold installed copies of what the lockfiles
pin, and the lockfiles of the packages in them are not what is installed.

metadata.component is the product: --name, --version and --supplier, else
what go.mod, package.json, Cargo.toml or pyproject.toml at PATH say, the git
tag on HEAD for the version, and the directory name. --artifact binds the SBOM
to built files by their SHA-256 and SHA-512.

The output is reproducible: the same inputs give the same bytes. The serial
number is derived from the content, and the timestamp is SOURCE_DATE_EPOCH
when set (and left out otherwise).

A lockfile that cannot be read or parsed stops the command (exit 2) and no
output is written; --keep-going skips it with a warning and records it in the
SBOM's properties as sdlkit:skipped, so that readers know the SBOM is
incomplete.`,
		Example: `  sdlkit sbom generate -o sbom.cdx.json
  sdlkit sbom generate ./service --name plc-gateway --version v1.4.0 \
      --supplier "Example Automation GmbH" --artifact dist/plc-gateway
  sdlkit sbom generate --format spdx-json -o sbom.spdx.json
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) sdlkit sbom generate -o sbom.cdx.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.path = "."
			if len(args) == 1 {
				opts.path = args[0]
			}
			return runSBOMGenerate(cmd, a, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.output, "output", "o", "", "write the SBOM to `FILE` (default: stdout)")
	f.StringVar(&opts.format, "format", "cyclonedx-json", "output format: cyclonedx-json, cyclonedx-xml or spdx-json")
	f.StringVar(&opts.specVersion, "spec-version", cyclonedx.SpecVersion16, "CycloneDX spec version: 1.6 or 1.5")
	f.StringVar(&opts.gen.Name, "name", "", "product name (default: from go.mod, package.json, … or the directory)")
	f.StringVar(&opts.gen.Version, "version", "", "product version (default: from the manifest or the git tag on HEAD)")
	f.StringVar(&opts.gen.Supplier, "supplier", "", "the organisation that supplies the product")
	f.StringArrayVar(&opts.gen.Artifacts, "artifact", nil, "a built `FILE` the SBOM describes, hashed with SHA-256 and SHA-512 (repeatable)")
	f.BoolVar(&opts.gen.IncludeDev, "include-dev", false, "keep development dependencies, with scope excluded")
	f.BoolVar(&opts.goModuleCache, "go-module-cache", true, "read the Go module graph below go.mod's direct requirements from the local module cache")
	opts.rec.register(cmd)
	f.BoolVar(&opts.gen.KeepGoing, "keep-going", false, "skip files that cannot be read or parsed, with a warning, and record them in the SBOM")
	return cmd
}

func runSBOMGenerate(cmd *cobra.Command, a *app, opts sbomGenerateOptions) error {
	if err := checkFormat(opts.format, "cyclonedx-json", "cyclonedx-xml", "spdx-json"); err != nil {
		return err
	}
	if opts.specVersion != cyclonedx.SpecVersion16 && opts.specVersion != cyclonedx.SpecVersion15 {
		return usageErrorf("unknown --spec-version %q: use 1.6 or 1.5", opts.specVersion)
	}
	if cmd.Flags().Changed("spec-version") && opts.format == "spdx-json" {
		return usageErrorf("--spec-version is a CycloneDX version: SPDX output is always SPDX 2.3")
	}
	ts, err := sourceDateEpoch(a.getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return err
	}
	opts.gen.Timestamp = ts
	opts.gen.NoGoModuleCache = !opts.goModuleCache
	opts.gen.GoModuleCache = generate.DefaultGoModuleCache(a.getenv)
	opts.gen.Tool = sbom.Tool{Vendor: "sdlkit", Name: "sdlkit", Version: readBuildVersion().Version}
	if err := checkGenerateOutput(opts); err != nil {
		return err
	}
	l, err := opts.rec.open(cmd.Context(), a)
	if err != nil {
		return err
	}
	outputs, err := createOutputs([]namedPath{{kind: "sbom", path: cmp.Or(opts.output, "-")}}, atomicfile.Options{})
	if err != nil {
		return err
	}
	defer abortOutputs(outputs)
	b, err := generate.SBOM(cmd.Context(), opts.path, opts.gen)
	var ferr *generate.FileError
	if errors.Is(err, generate.ErrUnknownFile) {
		return inputError(err, "give a directory, a lockfile (go.mod, package-lock.json, Cargo.lock, …) or a Go binary")
	}
	if errors.As(err, &ferr) {
		return inputError(err, "fix or remove the file, or pass --keep-going to skip it and record it in the SBOM")
	}
	if err != nil {
		return inputError(err)
	}
	for _, s := range generate.Skipped(b) {
		a.warnf("skipped %s", s)
	}
	encode := func(w io.Writer) error {
		if opts.format == "spdx-json" {
			return spdx.Encode(w, b)
		}
		return cyclonedx.Encode(w, b, cyclonedx.EncodeOptions{XML: opts.format == "cyclonedx-xml", SpecVersion: opts.specVersion})
	}
	var buf bytes.Buffer
	if err := encode(&buf); err != nil {
		return err
	}
	if outputs[0] == nil {
		if _, err := a.out.Write(buf.Bytes()); err != nil {
			return err
		}
	} else {
		if _, err := outputs[0].Write(buf.Bytes()); err != nil {
			return err
		}
		if err := commitOutputs(outputs); err != nil {
			return err
		}
	}
	return opts.rec.append(cmd.Context(), a, l, sbomEvidence(b, opts.format, buf.Bytes()))
}

// sbomEvidence is the ledger record of a generated SBOM.
func sbomEvidence(b *sbom.BOM, format string, data []byte) evidence {
	ext := map[string]string{"cyclonedx-json": ".cdx.json", "cyclonedx-xml": ".cdx.xml", "spdx-json": ".spdx.json"}[format]
	name := cmp.Or(path.Base(b.Product.Name), "sbom")
	return evidence{
		kind: "sbom", producer: "sdlkit sbom generate", version: b.Product.Version,
		summary: fmt.Sprintf("SBOM of %s: %d components (%s)", strings.TrimSpace(b.Product.Name+" "+b.Product.Version), len(b.Components), format),
		facts:   map[string]string{"components": strconv.Itoa(len(b.Components)), "format": format, "purl": b.Product.PURL},
		blobs:   []ledger.Blob{{Name: name + ext, Data: data}},
	}
}

// checkGenerateOutput refuses an output path that is one of the files the
// generation reads — the target, an artifact, a lockfile, manifest or
// go.sum of the tree — before anything is read or written.
func checkGenerateOutput(opts sbomGenerateOptions) error {
	if opts.output == "" || opts.output == "-" {
		return nil
	}
	inputs := []namedPath{{kind: "target", path: opts.path}}
	for _, art := range opts.gen.Artifacts {
		inputs = append(inputs, namedPath{kind: "artifact", path: art})
	}
	if err := checkOutputs([]namedPath{{kind: "sbom", path: opts.output}}, inputs); err != nil {
		return err
	}
	reads, err := generate.Reads(opts.path, opts.output, opts.gen)
	if err != nil {
		return inputError(err)
	}
	if reads {
		return inputError(fmt.Errorf("write sbom %q: it would replace a file the SBOM is made from", opts.output), "write the SBOM to another path")
	}
	return nil
}

// sourceDateEpoch parses SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/);
// unset gives the zero time.
func sourceDateEpoch(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil || secs < 0 {
		return time.Time{}, usageErrorf("SOURCE_DATE_EPOCH=%q is not a number of seconds since 1970", v)
	}
	return time.Unix(secs, 0).UTC(), nil
}
