// Package report renders what the evidence ledger holds for one release as
// an assessor reads it: one self-contained HTML file (CSS and SVG inline,
// no script, no network at view time, printable) and a Markdown summary for
// pull requests and $GITHUB_STEP_SUMMARY.
//
// The HTML is built with html/template: every value from a record (a
// summary, an actor, a file name) is data and is escaped as such. The
// package reads what the ledger package returns and the findings the
// command passes in; it opens no file and knows nothing of scan formats.
package report

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sdlkit/sdlkit/practices"
	"github.com/sdlkit/sdlkit/practices/ledger"
)

// Input is everything a report shows.
type Input struct {
	Status  *ledger.Status
	Catalog *practices.Catalog
	Scope   *ledger.Scope
	// Records are the full records of the release (and those tied to no
	// release), the evidence the requirement rows list.
	Records []*ledger.Record
	// History are the summaries of every record of the product, for the
	// timeline over releases.
	History    []ledger.Summary
	Checkpoint *ledger.Checkpoint
	// Findings are the open and suppressed findings of the release's
	// newest scan, with their VEX decisions.
	Findings []Finding
	// Generated is when the report was made; Tool names sdlkit and its
	// version.
	Generated time.Time
	Tool      string
	// EvidenceLinks links evidence rows to their files, as laid out in an
	// export (evidence/sha256/…); off for a report outside an export.
	EvidenceLinks bool
}

// HasReleaseRecords reports whether any record is tied to the release
// (records tied to no release, such as the scope, do not count).
func (in Input) HasReleaseRecords() bool {
	return slices.ContainsFunc(in.Records, func(r *ledger.Record) bool {
		return r.Version != "" && r.Version == in.Status.Version
	})
}

// Finding is one finding of the release's scan.
type Finding struct {
	ID        string
	Severity  string
	Score     string
	Component string
	Version   string
	Fixed     string
	// Suppressed: a VEX statement says not_affected or fixed.
	Suppressed bool
	// VEX is the decision that applies ("not_affected:
	// vulnerable_code_not_present"), empty when there is none.
	VEX string
}

//go:embed report.html.tmpl
var htmlTemplate string

var funcs = template.FuncMap{
	"date":     func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"day":      func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"short":    func(s string) string { return s[:min(12, len(s))] },
	"pct":      func(a, b int) int { return int(math.Round(100 * float64(a) / float64(max(b, 1)))) },
	"join":     strings.Join,
	"facts":    facts,
	"digest":   func(d string) string { return strings.TrimPrefix(d, "sha256:") },
	"evidence": ledger.EvidencePath,
	"lower":    strings.ToLower,
}

// page parses the template on first use: parsing at package init would
// cost every sdlkit command a third of a millisecond.
var page = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(funcs).Parse(htmlTemplate))
})

// HTML writes the report as one HTML file.
func HTML(w io.Writer, in Input) error {
	v, err := build(in)
	if err != nil {
		return err
	}
	return page().Execute(w, v)
}

// view is what the template reads.
type view struct {
	Input
	Practices []practiceView
	Timeline  timeline
	Open      int
	// Empty: no record is tied to the release (those tied to no release,
	// such as the scope, may still be there).
	Empty bool
}

type practiceView struct {
	ledger.PracticeStatus
	// GapGroups are the gaps to the next level, requirements with the
	// same gap named together.
	GapGroups    []string
	Requirements []requirementView
}

type requirementView struct {
	ledger.RequirementStatus
	Summary  string
	Clause   string
	Accepts  []string
	Evidence []*ledger.Record
}

func build(in Input) (*view, error) {
	if in.Status == nil || in.Catalog == nil {
		return nil, fmt.Errorf("report: no status or catalog")
	}
	byReq := map[string][]*ledger.Record{}
	for _, r := range in.Records {
		for _, id := range r.Requirements {
			byReq[id] = append(byReq[id], r)
		}
	}
	v := &view{Input: in, Empty: !in.HasReleaseRecords()}
	for _, p := range in.Status.Practices {
		pv := practiceView{PracticeStatus: p, GapGroups: groupGaps(p.Gaps)}
		for _, rs := range p.Requirements {
			req, err := in.Catalog.Requirement(rs.ID)
			if err != nil {
				return nil, err
			}
			evs := byReq[rs.ID]
			slices.SortFunc(evs, func(a, b *ledger.Record) int { return b.Time.Compare(a.Time) })
			pv.Requirements = append(pv.Requirements, requirementView{RequirementStatus: rs, Summary: req.Summary,
				Clause: req.Clause, Accepts: req.Evidence, Evidence: evs})
		}
		v.Practices = append(v.Practices, pv)
	}
	for _, f := range in.Findings {
		if !f.Suppressed {
			v.Open++
		}
	}
	v.Timeline = buildTimeline(in.Catalog, in.History)
	return v, nil
}

// groupGaps joins gaps of the form "ID: what" that say the same of several
// requirements: "no process document recorded: SM-1, SM-2".
func groupGaps(gaps []string) []string {
	var order []string
	ids := map[string][]string{}
	for _, g := range gaps {
		id, what, ok := strings.Cut(g, ": ")
		if !ok {
			id, what = "", g
		}
		if _, seen := ids[what]; !seen {
			order = append(order, what)
		}
		if id != "" {
			ids[what] = append(ids[what], id)
		} else {
			ids[what] = append(ids[what], []string{}...)
		}
	}
	out := make([]string, 0, len(order))
	for _, what := range order {
		if len(ids[what]) == 0 {
			out = append(out, what)
			continue
		}
		out = append(out, what+": "+strings.Join(ids[what], ", "))
	}
	return out
}

// facts renders a record's facts as "key: value" pairs, in key order.
func facts(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if m[k] != "" {
			out = append(out, k+": "+m[k])
		}
	}
	return out
}

// timeline is the SVG chart of evidence per practice over the releases.
type timeline struct {
	Width, Height int
	Releases      []column
	Rows          []row
	Cells         []cell
}

type column struct {
	X     int
	Label string
}

type row struct {
	Y     int
	Label string
}

type cell struct {
	X, Y, R int
	Count   int
	Title   string
}

// maxReleases bounds the timeline: the newest releases are shown.
const maxReleases = 40

func buildTimeline(c *practices.Catalog, history []ledger.Summary) timeline {
	first := map[string]time.Time{}
	for _, s := range history {
		if s.Version == "" {
			continue
		}
		if t, ok := first[s.Version]; !ok || s.Time.Before(t) {
			first[s.Version] = s.Time
		}
	}
	versions := slices.SortedFunc(maps.Keys(first), func(a, b string) int {
		return cmp.Or(first[a].Compare(first[b]), strings.Compare(a, b))
	})
	if len(versions) > maxReleases {
		versions = versions[len(versions)-maxReleases:]
	}
	const left, top, colW, rowH = 70, 24, 56, 30
	t := timeline{Width: left + colW*max(len(versions), 1) + 10, Height: top + rowH*len(c.Practices) + 10}
	col := map[string]int{}
	for i, v := range versions {
		col[v] = i
		t.Releases = append(t.Releases, column{X: left + colW*i + colW/2, Label: v})
	}
	rowOf := map[string]int{}
	for i, p := range c.Practices {
		rowOf[p.ID] = i
		t.Rows = append(t.Rows, row{Y: top + rowH*i + rowH/2, Label: p.ID})
	}
	counts := map[[2]int]int{}
	for _, s := range history {
		ci, ok := col[s.Version]
		if !ok {
			continue
		}
		seen := map[int]bool{}
		for _, id := range s.Requirements {
			r, err := c.Requirement(id)
			if err != nil || seen[rowOf[r.Practice]] {
				continue
			}
			seen[rowOf[r.Practice]] = true
			counts[[2]int{rowOf[r.Practice], ci}]++
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(counts), func(a, b [2]int) int { return cmp.Or(a[0]-b[0], a[1]-b[1]) }) {
		n := counts[k]
		t.Cells = append(t.Cells, cell{X: left + colW*k[1] + colW/2, Y: top + rowH*k[0] + rowH/2,
			R: min(13, 8+int(math.Sqrt(float64(n)))), Count: n,
			Title: fmt.Sprintf("%s, release %s: %d records", c.Practices[k[0]].ID, versions[k[1]], n)})
	}
	return t
}
