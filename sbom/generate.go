package sbom

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
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
	// GoModuleCache is the Go module cache directory whose go.mod files
	// give the Go module graph below a go.mod's direct requirements; empty
	// means DefaultGoModuleCache(os.Getenv).
	GoModuleCache string
	// NoGoModuleCache reads nothing outside the tree, so that the output
	// depends on the tree alone: the Go graph then stops at the direct
	// requirements.
	NoGoModuleCache bool
}

type generator struct {
	root       string
	fsys       scalibrfs.FS
	extractors []filesystem.Extractor
	maxSize    int64
	opts       GenerateOptions
	skipped    []*FileError // under KeepGoing
	comps      map[string]Component
	graph      *graphBuilder
	// binaryMains are the main modules of Go binaries found in the tree.
	binaryMains map[string]bool
	// locals are the project's own packages that lockfiles list, by ref.
	locals map[string]Component
	// goModCache is the module cache read for the Go graph, "" for none.
	goModCache string
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
		locals: map[string]Component{},
	}
	if g.maxSize <= 0 {
		g.maxSize = DefaultMaxLockfileSize
	}
	if !opts.NoGoModuleCache {
		g.goModCache = cmp.Or(opts.GoModuleCache, DefaultGoModuleCache(os.Getenv))
	}
	skip := opts.SkipDirs
	if skip == nil {
		skip = DefaultSkipDirs
	}
	var files []fileResult
	err = walkFiles(root, skip, func(rel string, _ fs.DirEntry) error {
		files = append(files, fileResult{rel: rel})
		return ctx.Err()
	}, func(ferr *FileError) error {
		files = append(files, fileResult{rel: ferr.Path, err: ferr})
		return nil
	})
	if err == nil {
		g.readAll(ctx, files)
		err = g.mergeAll(files)
	}
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

// fileResult is what one file gave: components, what the lockfile adds, or
// the error.
type fileResult struct {
	rel   string
	comps []Component
	extra *lockInfo
	// mains are the refs of Go binaries' main modules.
	mains []string
	// locals are the refs of the project's own packages (localRefs).
	locals []string
	err    error
}

// readAll reads the files in parallel; mergeAll then merges the results in
// walk order, so that the output does not depend on scheduling.
func (g *generator) readAll(ctx context.Context, files []fileResult) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if files[i].err == nil {
					files[i].err = ctx.Err()
				}
				if files[i].err == nil {
					g.read(ctx, &files[i])
				}
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
}

// mergeAll adds each file's components and graph; a file's error stops it
// unless KeepGoing, which records the error instead.
func (g *generator) mergeAll(files []fileResult) error {
	for _, f := range files {
		var ferr *FileError
		if errors.As(f.err, &ferr) {
			if !g.opts.KeepGoing {
				return ferr
			}
			g.skipped = append(g.skipped, ferr)
			continue
		}
		if f.err != nil {
			return f.err
		}
		g.merge(f)
	}
	return nil
}

// read extracts one file and, for the lockfiles that carry more than
// scalibr reads, adds hashes, licenses and the graph.
// readFirst are the lockfiles whose hand-written reader checks what
// scalibr's extractor does not: it runs before the extractor, so that a
// malformed file is an error rather than a line scalibr logs (through the
// standard log package) before carrying on with what it could read. The
// others run after, so that scalibr's errors, which carry positions, come
// first.
var readFirst = map[string]bool{"yarn.lock": true}

func (g *generator) read(ctx context.Context, f *fileResult) {
	if gradleLockfiles[path.Base(f.rel)] {
		var data []byte
		if data, f.err = g.readLockfile(f.rel); f.err == nil {
			f.comps, f.err = readGradleLockfile(data, f.rel)
		}
		return
	}
	first := readFirst[path.Base(f.rel)]
	if first {
		if f.extra, f.err = g.lockExtra(f.rel); f.err != nil {
			return
		}
	}
	pkgs, err := g.extractFile(ctx, f.rel)
	if err != nil {
		f.err = err
		return
	}
	if !first {
		if f.extra, f.err = g.lockExtra(f.rel); f.err != nil {
			return
		}
	}
	for i, p := range pkgs {
		c := toComponent(p)
		if i == len(pkgs)-1 && isBinaryLocation(p) && c.Name != "stdlib" {
			// gobinary appends the binary's main module last.
			c.Type = TypeApplication
			f.mains = append(f.mains, c.BOMRef)
		}
		f.extra.apply(&c)
		f.comps = append(f.comps, c)
	}
	f.locals = g.localRefs(f.rel, f.extra)
	if f.extra != nil {
		for _, c := range f.extra.packages {
			c.Locations = []string{f.rel}
			f.comps = append(f.comps, c)
		}
	}
}

func (g *generator) merge(f fileResult) {
	for _, ref := range f.mains {
		g.binaryMains[ref] = true
	}
	added := make(map[string]bool, len(f.comps))
	for _, c := range f.comps {
		if slices.Contains(f.locals, c.BOMRef) {
			if _, ok := g.locals[c.BOMRef]; !ok {
				g.locals[c.BOMRef] = c
			}
			continue
		}
		if c.Name == "" || c.Scope == ScopeExcluded && !g.opts.IncludeDev {
			continue
		}
		g.add(c)
		added[c.BOMRef] = true
	}
	g.graph.addFile(f.extra, added)
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
		// The lockfile lists the product itself.
		g.locals[product.BOMRef] = g.comps[product.BOMRef]
		delete(g.comps, product.BOMRef)
	}
	for ref := range g.locals {
		// The project's own packages: what they depend on, the product does.
		g.graph.roots = append(g.graph.roots, g.graph.edges[ref]...)
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
	gb := g.graph
	if v := goGraphProperty(gb.goModFiles, gb.goModules, gb.goModsRead, g.goModCache != ""); v != "" {
		b.Properties = append(b.Properties, Property{Name: PropertyGoGraph, Value: v})
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
