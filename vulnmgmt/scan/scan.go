// Package scan checks an SBOM against the offline advisory store: one
// finding per component and vulnerability (a flaw's ids — CVE, GHSA, GO-,
// PYSEC-, RUSTSEC- — grouped), rated from its CVSS vectors, triaged by VEX.
// It never reports a silent zero: components it could not check and
// ecosystems the store holds no advisories for are listed in the result.
package scan

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/purl"
	"github.com/sdlkit/sdlkit/vulnmgmt/advisories"
	"github.com/sdlkit/sdlkit/vulnmgmt/match"
	"github.com/sdlkit/sdlkit/vulnmgmt/osv"
	"github.com/sdlkit/sdlkit/vulnmgmt/severity"
	"github.com/sdlkit/sdlkit/vulnmgmt/vex"
)

// Options tune a scan.
type Options struct {
	// Source names what was scanned (a file or directory), for the result.
	Source string
	// VEX applies triage decisions; nil applies none.
	VEX *vex.Decider
	// VEXFiles name the VEX documents, for the result.
	VEXFiles []string
	// Tool is the scanner recorded in the result.
	Tool Tool
	// Now is the scan time; zero means time.Now().
	Now time.Time
}

// Scan checks every component of b against the store.
func Scan(ctx context.Context, b *sbom.BOM, store *advisories.Store, opts Options) (*Result, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	info := store.Info()
	r := &Result{
		Schema: SchemaVersion, Tool: opts.Tool, ScannedAt: opts.Now,
		Target: Target{Source: opts.Source, Name: b.Product.Name, Version: b.Product.Version, PURL: b.Product.PURL, Components: len(b.Components)},
		Store:  StoreRef{Digest: info.Digest, Newest: info.Newest, Records: info.Records},
		VEX:    slices.Clone(opts.VEXFiles), Findings: []Finding{}, Unchecked: []Unchecked{},
	}
	if r.VEX == nil {
		r.VEX = []string{}
	}
	jobs, unchecked := plan(b.Components, info)
	r.Unchecked = append(r.Unchecked, unchecked...)
	findings, err := matchAll(ctx, store, jobs)
	if err != nil {
		return nil, err
	}
	for i := range findings {
		if findings[i].Severity.Rating == severity.Unknown {
			findings[i].Severity = severityByAlias(store, &findings[i])
		}
		applyVEX(&findings[i], opts.VEX, b.Product.PURL)
	}
	sortFindings(findings)
	if findings != nil {
		r.Findings = findings
	}
	r.Summary = summarise(findings)
	return r, nil
}

// job is a component to look up.
type job struct {
	comp sbom.Component
	pkg  match.Package
}

// plan decides what each component is matched as, and lists the
// components and ecosystems that cannot be checked.
func plan(comps []sbom.Component, info advisories.Info) ([]job, []Unchecked) {
	var jobs []job
	var unchecked []Unchecked
	noRecords := map[string]bool{}
	for _, c := range comps {
		eco := cmp.Or(c.Ecosystem, purl.Ecosystem(c.PURL))
		name := c.Name
		if n, _, ok := purl.NameVersion(c.PURL); ok && name == "" {
			name = n
		}
		switch {
		case eco == "":
			unchecked = append(unchecked, Unchecked{Component: ref(c), Reason: "no ecosystem known (no purl of a type OSV covers)"})
			continue
		case c.Version == "":
			unchecked = append(unchecked, Unchecked{Component: ref(c), Reason: "no version"})
			continue
		}
		base, _, _ := strings.Cut(eco, ":")
		if info.Ecosystems[base].Records == 0 {
			if !noRecords[base] {
				noRecords[base] = true
				unchecked = append(unchecked, Unchecked{Ecosystem: base, Reason: "the advisory store holds no advisories for this ecosystem: import them (sdlkit advisories fetch --ecosystem " + base + ")"})
			}
			continue
		}
		jobs = append(jobs, job{comp: c, pkg: match.Package{Ecosystem: eco, Name: name, Version: c.Version}})
	}
	return jobs, unchecked
}

func ref(c sbom.Component) string {
	if c.PURL != "" {
		return c.PURL
	}
	return strings.TrimSuffix(c.Name+"@"+c.Version, "@")
}

// matchAll looks every job up on every core; findings keep the jobs'
// order before sorting.
func matchAll(ctx context.Context, store *advisories.Store, jobs []job) ([]Finding, error) {
	results := make([][]Finding, len(jobs))
	errs := make([]error, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, len(jobs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = matchOne(store, jobs[i])
			}
		}()
	}
	for i := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Finding
	for i := range jobs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, results[i]...)
	}
	return out, nil
}

// matchOne finds the advisories that affect one component and groups
// those that name the same flaw.
func matchOne(store *advisories.Store, j job) ([]Finding, error) {
	var hits []hit
	for _, p := range lookupsOf(j.pkg) {
		records, err := store.Lookup(p.Ecosystem, p.Name)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", ref(j.comp), err)
		}
		for _, v := range records {
			if res := match.Affects(v, p); res.Affected {
				hits = append(hits, hit{v: v, fixed: res.Fixed})
			}
		}
	}
	var out []Finding
	for _, group := range groupByAlias(hits) {
		out = append(out, finding(j.comp, j.pkg.Ecosystem, group))
	}
	return out, nil
}

// lookupsOf returns the packages a component is matched as: itself and,
// for the Go standard library, the Go toolchain of the same version (the
// go command and its linker, which the Go vulnerability database lists as
// the package "toolchain").
func lookupsOf(p match.Package) []match.Package {
	if p.Ecosystem == "Go" && p.Name == "stdlib" {
		return []match.Package{p, {Ecosystem: "Go", Name: "toolchain", Version: p.Version}}
	}
	return []match.Package{p}
}

// hit is an advisory that affects a component.
type hit struct {
	v     *osv.Vulnerability
	fixed []string
}

// groupByAlias joins hits whose ids or aliases overlap: one flaw, one
// finding.
func groupByAlias(hits []hit) [][]hit {
	parent := make([]int, len(hits))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	owner := map[string]int{}
	for i, h := range hits {
		for _, id := range osv.IDs(h.v) {
			if j, ok := owner[id]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[id] = i
			}
		}
	}
	groups := map[int][]hit{}
	var order []int
	for i, h := range hits {
		root := find(i)
		if _, ok := groups[root]; !ok {
			order = append(order, root)
		}
		groups[root] = append(groups[root], h)
	}
	out := make([][]hit, 0, len(order))
	for _, root := range order {
		out = append(out, groups[root])
	}
	return out
}

// finding merges one group of advisories into a finding.
func finding(c sbom.Component, eco string, group []hit) Finding {
	slices.SortFunc(group, func(a, b hit) int { return strings.Compare(a.v.GetId(), b.v.GetId()) })
	f := Finding{
		Component: Component{Ref: c.BOMRef, Name: c.Name, Version: c.Version, Ecosystem: eco, PURL: c.PURL, Scope: string(c.Scope), Locations: c.Locations},
		Fixed:     []string{},
	}
	ids := map[string]bool{}
	for _, h := range group {
		v := h.v
		f.Advisories = append(f.Advisories, v.GetId())
		for _, id := range osv.IDs(v) {
			ids[id] = true
		}
		if f.Summary == "" {
			f.Summary = v.GetSummary()
		}
		f.Severity = severity.Max(f.Severity, severity.Of(v, eco))
		for _, fx := range h.fixed {
			if !slices.Contains(f.Fixed, fx) {
				f.Fixed = append(f.Fixed, fx)
			}
		}
		if p := v.GetPublished().AsTime(); v.GetPublished() != nil && (f.Published.IsZero() || p.Before(f.Published)) {
			f.Published = p.UTC()
		}
		if m := v.GetModified().AsTime(); m.After(f.Modified) {
			f.Modified = m.UTC()
		}
		for _, rf := range v.GetReferences() {
			if u := rf.GetUrl(); u != "" && !slices.Contains(f.References, u) {
				f.References = append(f.References, u)
			}
		}
	}
	f.ID = f.Advisories[0]
	for id := range ids {
		if id != f.ID {
			f.Aliases = append(f.Aliases, id)
		}
	}
	slices.Sort(f.Aliases)
	if f.Aliases == nil {
		f.Aliases = []string{}
	}
	return f
}

// severityByAlias rates a finding whose own advisories carry no severity
// (the Go vulnerability database gives none) from the store's records of
// its aliases: the GitHub advisory of the same flaw usually has a vector.
func severityByAlias(store *advisories.Store, f *Finding) severity.Severity {
	best := f.Severity
	for _, alias := range f.Aliases {
		v, err := store.Record(alias)
		if err != nil || v == nil {
			continue
		}
		if s := severity.Of(v, ""); s.Rating != severity.Unknown {
			s.Source += " of " + v.GetId()
			best = severity.Max(best, s)
		}
	}
	return best
}

// applyVEX records the statement that applies to f, if any.
func applyVEX(f *Finding, d *vex.Decider, product string) {
	if d == nil {
		return
	}
	if s := d.Decide(f.IDs(), f.Component.PURL, product); s != nil {
		f.VEX = s
		f.Suppressed = s.Suppresses()
	}
}

// sortFindings puts the most severe first, then by component and id.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			-cmp.Compare(a.Severity.Rating.Rank(), b.Severity.Rating.Rank()),
			-cmp.Compare(a.Severity.Score, b.Severity.Score),
			cmp.Compare(a.Component.Ref, b.Component.Ref),
			cmp.Compare(a.ID, b.ID))
	})
}

func summarise(fs []Finding) Summary {
	var s Summary
	for _, f := range fs {
		if f.Suppressed {
			s.Suppressed++
			continue
		}
		switch f.Severity.Rating {
		case severity.Critical:
			s.Critical++
		case severity.High:
			s.High++
		case severity.Medium:
			s.Medium++
		case severity.Low:
			s.Low++
		default:
			s.Unknown++
		}
	}
	return s
}
