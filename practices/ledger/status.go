package ledger

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sdlkit/sdlkit/practices"
)

// StatusFormat identifies the JSON form of Status.
const StatusFormat = "sdlkit.ledger.status/v1"

// staleAfter says how old the newest record of a kind may be before the
// evidence it gives is stale: a threat model not reviewed within 12 months.
var staleAfter = map[string]time.Duration{
	"threat-model": 365 * 24 * time.Hour,
}

// Status is what the ledger holds for one release of a product: per
// practice and in-scope requirement, the evidence, whether the release has
// any (the SM-12 check before release), what is stale, and the estimated
// maturity.
type Status struct {
	Format  string    `json:"format"`
	Product string    `json:"product,omitempty"`
	Version string    `json:"version,omitempty"`
	Head    string    `json:"head"`
	Time    time.Time `json:"time"`
	Records int       `json:"records"`
	// InScope and Covered count the in-scope requirements and those with
	// evidence in force for the release.
	InScope   int              `json:"in_scope"`
	Covered   int              `json:"covered"`
	Practices []PracticeStatus `json:"practices"`
}

// PracticeStatus is one practice's part of Status.
type PracticeStatus struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	InScope  int    `json:"in_scope"`
	Covered  int    `json:"covered"`
	Maturity int    `json:"maturity"`
	// Rule is the criterion of the level reached, in the catalog's words.
	Rule         string              `json:"rule"`
	Gaps         []string            `json:"gaps,omitempty"`
	Requirements []RequirementStatus `json:"requirements"`
}

// RequirementStatus is one requirement's part of Status.
type RequirementStatus struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	InScope bool   `json:"in_scope"`
	// Rationale says why an out-of-scope requirement does not apply.
	Rationale string `json:"rationale,omitempty"`
	Evidence  int    `json:"evidence"`
	// Newest is the time and id of the newest record.
	Newest   *time.Time `json:"newest,omitempty"`
	NewestID string     `json:"newest_id,omitempty"`
	// Covered: the release has evidence for it (a record for this
	// version, or one tied to no release, such as a process document).
	Covered bool     `json:"covered"`
	Stale   []string `json:"stale,omitempty"`
}

// StatusOptions select what Status reports on.
type StatusOptions struct {
	Product string
	// Version is the release; empty means the newest version recorded
	// for the product.
	Version string
	// Now is the assessment time; zero means time.Now.
	Now time.Time
	// Pending are records about to be appended, counted as if they were
	// in the ledger: what a release gate sees before the run that it
	// gates records its evidence.
	Pending []Summary
}

// Status computes the ledger's status for a release.
func (l *Ledger) Status(ctx context.Context, opts StatusOptions) (*Status, error) {
	info, err := l.Info()
	if err != nil {
		return nil, err
	}
	scope, err := l.Scope()
	if err != nil {
		return nil, err
	}
	all, head, err := l.Summaries(ctx)
	if err != nil {
		return nil, err
	}
	return statusOf(l.catalog, scope, info.Product, head.String(), all, opts)
}

// PlannedStatus is the status a ledger that Init is about to create would
// have — every requirement in scope, the SM-5 scope record — with
// opts.Pending counted as recorded: what a release gate sees when the run
// it gates creates the ledger.
func PlannedStatus(c *practices.Catalog, product string, opts StatusOptions) (*Status, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now().UTC().Truncate(time.Second)
	}
	scope := InitOptions{}.scope()
	all := []Summary{{ID: "planned-scope", Time: now, Product: product, Kind: "scope-record", Requirements: []string{"SM-5"}}}
	return statusOf(c, scope, product, "", all, opts)
}

// statusOf computes the status of the records all (and opts.Pending).
func statusOf(c *practices.Catalog, scope *Scope, defaultProduct, head string, all []Summary, opts StatusOptions) (*Status, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now().UTC().Truncate(time.Second)
	}
	product := opts.Product
	if product == "" {
		product = defaultProduct
	}
	all = append(slices.Clip(all), opts.Pending...)
	recs := slices.DeleteFunc(slices.Clone(all), func(s Summary) bool { return product != "" && s.Product != product })
	version := opts.Version
	if version == "" {
		version = newestVersion(recs)
	}
	st := &Status{Format: StatusFormat, Product: product, Version: version, Head: head, Time: now, Records: len(recs)}
	inScope := scope.InScope(c)
	assessments, err := c.AssessAll(inScope, maturityRecords(recs), now)
	if err != nil {
		return nil, err
	}
	byReq := map[string][]Summary{}
	for _, r := range recs {
		for _, id := range r.Requirements {
			byReq[id] = append(byReq[id], r)
		}
	}
	for i, p := range c.Practices {
		ps := PracticeStatus{ID: p.ID, Title: p.Title, Maturity: assessments[i].Level, Gaps: assessments[i].Gaps,
			Rule: levelRule(c, assessments[i].Level)}
		reqs, err := c.RequirementsOf(p.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range reqs {
			rs := requirementStatus(r, scope, byReq[r.ID], version, now)
			if rs.InScope {
				ps.InScope++
				if rs.Covered {
					ps.Covered++
				}
			}
			ps.Requirements = append(ps.Requirements, rs)
		}
		st.InScope += ps.InScope
		st.Covered += ps.Covered
		st.Practices = append(st.Practices, ps)
	}
	return st, nil
}

func levelRule(c *practices.Catalog, level int) string {
	for _, ml := range c.MaturityLevels {
		if ml.Level == level {
			return fmt.Sprintf("%s %s: %s", ml.ID, ml.Title, ml.Criteria)
		}
	}
	return ""
}

func requirementStatus(r practices.Requirement, scope *Scope, recs []Summary, version string, now time.Time) RequirementStatus {
	rs := RequirementStatus{ID: r.ID, Title: r.Title, Evidence: len(recs)}
	rationale, out := scope.Rationale(r.ID)
	rs.InScope, rs.Rationale = !out, rationale
	newestOfKind := map[string]time.Time{}
	for _, s := range recs {
		if rs.Newest == nil || s.Time.After(*rs.Newest) {
			t := s.Time
			rs.Newest, rs.NewestID = &t, s.ID
		}
		if s.Version == version || s.Version == "" {
			rs.Covered = true
		}
		if s.Time.After(newestOfKind[s.Kind]) {
			newestOfKind[s.Kind] = s.Time
		}
	}
	for kind, age := range staleAfter {
		if t, ok := newestOfKind[kind]; ok && now.Sub(t) > age {
			rs.Stale = append(rs.Stale, fmt.Sprintf("newest %s recorded %s, more than %d days ago", kind, t.Format("2006-01-02"), int(age.Hours()/24)))
		}
	}
	return rs
}

// newestVersion is the version of the newest record tied to a release.
func newestVersion(recs []Summary) string {
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Version != "" {
			return recs[i].Version
		}
	}
	return ""
}

// maturityRecords turns summaries into the catalog's maturity input: one
// record per requirement a summary names.
func maturityRecords(recs []Summary) []practices.Record {
	var out []practices.Record
	for _, s := range recs {
		for _, id := range s.Requirements {
			out = append(out, practices.Record{Requirement: id, Kind: s.Kind, Release: s.Version, Time: s.Time})
		}
	}
	return out
}
