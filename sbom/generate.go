package sbom

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/google/osv-scalibr/extractor/filesystem"
	scalibrfs "github.com/google/osv-scalibr/fs"
)

// DefaultMaxLockfileSize is the largest lockfile Generate reads (64 MiB; the
// largest real lockfiles are a few tens of MiB). Go binaries are read in
// place and have no limit.
const DefaultMaxLockfileSize = 64 << 20

// GenerateOptions tune Generate. The zero value is a sensible default.
type GenerateOptions struct {
	// Product overrides the defaults read from the tree (go.mod,
	// package.json, Cargo.toml, pyproject.toml, the git tag) where set.
	Name, Version, Supplier string
	// Artifacts are built files the BOM describes, hashed with SHA-256 and
	// SHA-512.
	Artifacts []string
	// IncludeDev keeps development dependencies, with scope excluded.
	IncludeDev bool
	// KeepGoing skips unreadable or malformed files instead of failing,
	// and records each in the BOM's properties (PropertySkipped).
	KeepGoing bool
	// Tool is the tool recorded in metadata.tools (sdlkit and its version).
	Tool Tool
	// Timestamp of the BOM; zero leaves it out, so that output stays
	// reproducible (callers pass SOURCE_DATE_EPOCH).
	Timestamp time.Time
	// SkipDirs replaces DefaultSkipDirs when not nil.
	SkipDirs []string
	// MaxLockfileSize replaces DefaultMaxLockfileSize when > 0.
	MaxLockfileSize int64
}

type generator struct {
	root       string
	fsys       scalibrfs.FS
	extractors []filesystem.Extractor
	maxSize    int64
	opts       GenerateOptions
	skipped    []*FileError
	comps      map[string]Component
	graph      *graphBuilder
	// binaryMains are the main modules of Go binaries found in the tree.
	binaryMains map[string]bool
}

// Generate walks root and returns the BOM of everything its lockfiles,
// manifests and Go binaries pin. See the package documentation for what is
// read and how.
func Generate(ctx context.Context, root string, opts GenerateOptions) (*BOM, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("generate sbom: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("generate sbom: %s is not a directory", root)
	}
	exs, err := newExtractors()
	if err != nil {
		return nil, err
	}
	g := &generator{
		root: root, fsys: scalibrfs.DirFS(root), extractors: exs, opts: opts,
		maxSize: opts.MaxLockfileSize, comps: map[string]Component{}, graph: newGraphBuilder(), binaryMains: map[string]bool{},
	}
	if g.maxSize <= 0 {
		g.maxSize = DefaultMaxLockfileSize
	}
	skip := opts.SkipDirs
	if skip == nil {
		skip = DefaultSkipDirs
	}
	err = walkFiles(root, skip, func(rel string, _ fs.DirEntry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return g.file(ctx, rel)
	}, g.fail)
	var ferr *FileError
	if errors.As(err, &ferr) {
		// Name the file as the caller knows it: under root as given.
		ferr.Path = filepath.ToSlash(filepath.Join(root, filepath.FromSlash(ferr.Path)))
		return nil, fmt.Errorf("generate sbom: %w", ferr)
	}
	if err != nil {
		return nil, err
	}
	return g.bom()
}

// fail returns ferr unless KeepGoing, which records it instead.
func (g *generator) fail(ferr *FileError) error {
	if !g.opts.KeepGoing {
		return ferr
	}
	g.skipped = append(g.skipped, ferr)
	return nil
}

// file extracts one file and, for the lockfiles that carry more than
// scalibr reads, adds hashes, licenses and the graph.
func (g *generator) file(ctx context.Context, rel string) error {
	pkgs, err := g.extractFile(ctx, rel)
	var ferr *FileError
	if errors.As(err, &ferr) {
		return g.fail(ferr)
	}
	if err != nil {
		return err
	}
	extra, err := g.lockExtra(rel)
	if errors.As(err, &ferr) {
		return g.fail(ferr)
	}
	if err != nil || len(pkgs) == 0 && extra == nil {
		return err
	}
	comps := make([]Component, 0, len(pkgs))
	for i, p := range pkgs {
		c := toComponent(p)
		if i == len(pkgs)-1 && isBinaryLocation(p) && c.Name != "stdlib" {
			// gobinary appends the binary's main module last.
			c.Type = TypeApplication
			g.binaryMains[c.BOMRef] = true
		}
		extra.apply(&c)
		comps = append(comps, c)
	}
	if extra != nil {
		for _, c := range extra.packages {
			c.Locations = []string{rel}
			comps = append(comps, c)
		}
	}
	added := make(map[string]bool, len(comps))
	for _, c := range comps {
		if c.Name == "" || c.Scope == ScopeExcluded && !g.opts.IncludeDev {
			continue
		}
		g.add(c)
		added[c.BOMRef] = true
	}
	g.graph.addFile(extra, added)
	return nil
}

func (g *generator) add(c Component) {
	if old, ok := g.comps[c.BOMRef]; ok {
		c = MergeComponent(old, c)
	}
	g.comps[c.BOMRef] = c
}

func (g *generator) bom() (*BOM, error) {
	b := &BOM{Timestamp: g.opts.Timestamp}
	if g.opts.Tool.Name != "" {
		b.Tools = []Tool{g.opts.Tool}
	}
	product, err := g.product()
	if err != nil {
		return nil, err
	}
	if _, ok := g.comps[product.BOMRef]; ok {
		// The lockfile lists the product itself (a Cargo workspace member).
		delete(g.comps, product.BOMRef)
		g.graph.roots = append(g.graph.roots, g.graph.edges[product.BOMRef]...)
	}
	b.Components = make([]Component, 0, len(g.comps))
	for ref, c := range g.comps {
		if g.binaryMains[ref] && c.Name == product.Name {
			// A binary of the product itself: the product stands for it.
			delete(g.comps, ref)
			continue
		}
		b.Components = append(b.Components, c)
	}
	SortComponents(b.Components)
	b.Product = product
	b.Dependencies = g.graph.build(product.BOMRef, g.comps)
	if b.Artifacts, err = hashArtifacts(g.opts.Artifacts); err != nil {
		return nil, err
	}
	for _, s := range g.skipped {
		b.Properties = append(b.Properties, Property{Name: PropertySkipped, Value: s.Error()})
	}
	return b, nil
}

// Skipped returns the problems recorded in b's properties by KeepGoing, so
// that callers can warn about them.
func Skipped(b *BOM) []string {
	var out []string
	for _, p := range b.Properties {
		if p.Name == PropertySkipped {
			out = append(out, p.Value)
		}
	}
	return out
}
