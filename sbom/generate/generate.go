// Package generate makes the SBOM of a source tree from its lockfiles,
// manifests and Go binaries.
//
// The files are read with osv-scalibr's extractors and, where they leave out
// what an SBOM needs (hashes, licenses, scopes, the dependency graph) or get
// it wrong, with readers of sdlkit's own (sbom/internal/lockfile lists the
// formats and says why each reader exists). Development dependencies are
// left out unless Options.IncludeDev; a lockfile that does not flag them has
// them found by reachability (pnpm 9, yarn v1 with its package.json). The Go
// module graph below go.mod's direct requirements comes from each module's
// go.mod in the local module cache, as go mod graph reads it, without the
// go command or the network; PropertyGoGraph says how complete it is. A
// component without an entry in Dependencies has unknown dependencies, one
// with an empty entry has none.
//
// The product (metadata.component) is named by the options, else by the
// manifest at the root (go.mod, package.json, Cargo.toml, pyproject.toml),
// the one local package the lockfiles list, the git tag on HEAD and the
// directory name. The output is reproducible: components and graph are
// sorted and the timestamp is the caller's (SOURCE_DATE_EPOCH).
package generate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/sdlkit/sdlkit/sbom/purl"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/internal/lockfile"

	scalibrfs "github.com/google/osv-scalibr/fs"
)

// DefaultMaxLockfileSize is the largest lockfile Generate reads (64 MiB; the
// largest real lockfiles are a few tens of MiB). Go binaries are read in
// place and have no limit.
const DefaultMaxLockfileSize = 64 << 20

// Options tune Generate. The zero value is a sensible default.
type Options struct {
	// Product overrides the defaults read from the tree (go.mod,
	// package.json, Cargo.toml, pyproject.toml, the git tag) where set.
	Name, Version, Supplier string
	// Artifacts are built files the BOM describes, hashed with SHA-256 and
	// SHA-512.
	Artifacts []string
	// ArtifactBaseNames names artifacts by their file names instead of
	// their paths as given, so that the SBOM does not depend on where
	// they were built or downloaded.
	ArtifactBaseNames bool
	// IncludeDev keeps development dependencies, with scope excluded.
	IncludeDev bool
	// KeepGoing skips unreadable or malformed files instead of failing,
	// and records each in the BOM's properties (PropertySkipped).
	KeepGoing bool
	// Tool is the tool recorded in metadata.tools (sdlkit and its version).
	Tool sbom.Tool
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
	root    string
	fsys    scalibrfs.FS
	kinds   []kind
	maxSize int64
	opts    Options
	skipped []*FileError // under KeepGoing
	comps   map[string]sbom.Component
	graph   *graphBuilder
	// binaryMains are the main modules of Go binaries found in the tree.
	binaryMains map[string]bool
	// locals are the project's own packages that lockfiles list, by ref.
	locals map[string]sbom.Component
	// goModCache is the module cache read for the Go graph, "" for none.
	goModCache string
	// file is the one file read when the target is a file, "" for a tree.
	file string
	// sources counts the files other than Go binaries that gave
	// components: a tree of binaries alone is named after its binary.
	sources int
}

// SBOM returns the BOM of everything the lockfiles, manifests and Go
// binaries under target pin. target is a directory, walked, or one file: a
// lockfile (read with the manifests beside it) or a Go binary (its modules,
// with its main module as the product). See the package documentation for
// what is read and how.
func SBOM(ctx context.Context, target string, opts Options) (*sbom.BOM, error) {
	info, err := os.Stat(target)
	if err != nil {
		return nil, fmt.Errorf("generate sbom %q: %w", target, pathCause(err))
	}
	root, file := target, ""
	switch {
	case info.Mode().IsRegular():
		root, file = filepath.Dir(target), filepath.Base(target)
	case !info.IsDir():
		return nil, fmt.Errorf("generate sbom %q: neither a directory nor a regular file", target)
	}
	kinds, err := newKinds()
	if err != nil {
		return nil, err
	}
	g := &generator{
		root: root, fsys: scalibrfs.DirFS(root), kinds: kinds, opts: opts,
		maxSize: opts.MaxLockfileSize, comps: map[string]sbom.Component{}, graph: newGraphBuilder(), binaryMains: map[string]bool{},
		locals: map[string]sbom.Component{}, file: file,
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
	if file != "" {
		files = []fileResult{{rel: file}}
	} else {
		err = walkFiles(root, skip, func(rel string, _ fs.DirEntry) error {
			files = append(files, fileResult{rel: rel})
			return ctx.Err()
		}, func(ferr *FileError) error {
			files = append(files, fileResult{rel: ferr.Path, err: ferr})
			return nil
		})
	}
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
	comps []sbom.Component
	extra *lockfile.Info
	// mains are the refs of Go binaries' main modules.
	mains []string
	// locals are the refs of the project's own packages (Info.Locals).
	locals []string
	// invalid are the entries left out for names that are invalid in
	// their ecosystem (a path, a control character).
	invalid []*FileError
	err     error
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
	for _, i := range g.largestFirst(files) {
		next <- i
	}
	close(next)
	wg.Wait()
}

// largestFirst orders the files by size, largest first, so that the
// largest lockfile does not start last and leave the other cores idle.
func (g *generator) largestFirst(files []fileResult) []int {
	order := make([]int, len(files))
	sizes := make([]int64, len(files))
	for i := range files {
		order[i] = i
		if info, err := os.Lstat(filepath.Join(g.root, filepath.FromSlash(files[i].rel))); err == nil {
			sizes[i] = info.Size()
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sizes[b], sizes[a]) })
	return order
}

// mergeAll adds each file's components and graph; a file's error stops it
// unless KeepGoing, which records the error instead.
func (g *generator) mergeAll(files []fileResult) error {
	for _, f := range files {
		var ferr *FileError
		if errors.As(f.err, &ferr) {
			if !g.opts.KeepGoing || errors.Is(ferr, ErrUnknownFile) {
				return ferr
			}
			g.skipped = append(g.skipped, ferr)
			continue
		}
		if f.err != nil {
			return f.err
		}
		if len(f.invalid) > 0 {
			if !g.opts.KeepGoing {
				return f.invalid[0]
			}
			g.skipped = append(g.skipped, f.invalid...)
		}
		g.merge(f)
	}
	return nil
}

// read extracts one file and, for the lockfiles that carry more than
// scalibr reads, adds hashes, licenses and the graph.
func (g *generator) read(ctx context.Context, f *fileResult) {
	k := g.readerOf(f.rel)
	first := k != nil && k.ReadFirst
	if first {
		if f.extra, f.err = g.readExtra(k, f.rel); f.err != nil {
			return
		}
	}
	// The reader and scalibr's extractor parse the same file; they run
	// side by side (a large pnpm-lock.yaml is parsed twice), and the
	// extractor's error, which carries positions, still comes first.
	type extraResult struct {
		info *lockfile.Info
		err  error
	}
	var extra chan extraResult
	if !first && k != nil && k.Read != nil {
		extra = make(chan extraResult, 1)
		go func() {
			info, err := g.readExtra(k, f.rel)
			extra <- extraResult{info, err}
		}()
	}
	pkgs, known, err := g.extractFile(ctx, f.rel)
	if err == nil && !known && k == nil && f.rel == g.file {
		// A file given as the target that no format claims: a Go binary
		// without the executable bit, or nothing sdlkit reads.
		pkgs, err = g.readAsBinary(ctx, f.rel)
	}
	if extra != nil {
		r := <-extra
		if err == nil {
			f.extra, f.err = r.info, r.err
		}
	}
	if err != nil {
		f.err = err
		return
	}
	if f.err != nil {
		return
	}
	for i, p := range pkgs {
		c := toComponent(p)
		if i == len(pkgs)-1 && isBinaryLocation(p) && c.Name != "stdlib" {
			// gobinary appends the binary's main module last.
			c.Type = sbom.TypeApplication
			f.mains = append(f.mains, c.BOMRef)
		}
		f.extra.Apply(&c)
		f.comps = append(f.comps, c)
	}
	if f.extra != nil {
		f.locals = f.extra.Locals
		for _, c := range f.extra.Packages {
			c.Locations = []string{f.rel}
			f.comps = append(f.comps, c)
		}
	}
	f.comps = slices.DeleteFunc(f.comps, func(c sbom.Component) bool {
		if c.Name == "" {
			return false
		}
		err := purl.CheckName(c.Ecosystem, c.Name)
		if err != nil {
			f.invalid = append(f.invalid, &FileError{Path: f.rel, Err: err})
		}
		return err != nil
	})
}

func (g *generator) merge(f fileResult) {
	for _, ref := range f.mains {
		g.binaryMains[ref] = true
	}
	if len(f.mains) == 0 && (len(f.comps) > 0 || f.extra != nil) {
		g.sources++
	}
	added := make(map[string]bool, len(f.comps))
	for _, c := range f.comps {
		if slices.Contains(f.locals, c.BOMRef) {
			if _, ok := g.locals[c.BOMRef]; !ok {
				g.locals[c.BOMRef] = c
			}
			continue
		}
		if c.Name == "" || c.Scope == sbom.ScopeExcluded && !g.opts.IncludeDev {
			continue
		}
		g.add(c)
		added[c.BOMRef] = true
	}
	g.graph.addFile(f.extra, added)
}

func (g *generator) add(c sbom.Component) {
	if old, ok := g.comps[c.BOMRef]; ok {
		c = sbom.MergeComponent(old, c)
	}
	g.comps[c.BOMRef] = c
}

func (g *generator) bom() (*sbom.BOM, error) {
	b := &sbom.BOM{Timestamp: g.opts.Timestamp}
	if g.opts.Tool.Name != "" {
		b.Tools = []sbom.Tool{g.opts.Tool}
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
	b.Components = make([]sbom.Component, 0, len(g.comps))
	for ref, c := range g.comps {
		if g.binaryMains[ref] && c.Name == product.Name {
			// A binary of the product itself: the product stands for it.
			delete(g.comps, ref)
			continue
		}
		b.Components = append(b.Components, c)
	}
	sbom.SortComponents(b.Components)
	b.Product = product
	b.Dependencies = g.graph.build(product.BOMRef, g.comps)
	if b.Artifacts, err = hashArtifacts(g.opts.Artifacts, g.opts.ArtifactBaseNames); err != nil {
		return nil, err
	}
	gb := g.graph
	if v := goGraphProperty(gb.goModFiles, gb.goModules, gb.goModsRead, g.goModCache != ""); v != "" {
		b.Properties = append(b.Properties, sbom.Property{Name: PropertyGoGraph, Value: v})
	}
	for _, s := range g.skipped {
		b.Properties = append(b.Properties, sbom.Property{Name: PropertySkipped, Value: s.Error()})
	}
	return b, nil
}

// PropertySkipped names a file that Options.KeepGoing skipped, with the
// reason: the BOM is incomplete.
const PropertySkipped = "sdlkit:skipped"

// Skipped returns the problems recorded in b's properties by KeepGoing, so
// that callers can warn about them.
func Skipped(b *sbom.BOM) []string {
	var out []string
	for _, p := range b.Properties {
		if p.Name == PropertySkipped {
			out = append(out, p.Value)
		}
	}
	return out
}
