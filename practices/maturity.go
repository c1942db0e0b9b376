package practices

import (
	"fmt"
	"slices"
	"time"
)

// MaturityLevel is one of the four levels of the standard's maturity model,
// with the criteria sdlkit uses to estimate it from recorded evidence.
type MaturityLevel struct {
	ID    string `json:"id"`
	Level int    `json:"level"`
	Title string `json:"title"`
	// Summary says what the level means, in sdlkit's words.
	Summary string `json:"summary"`
	// Criteria says in prose how sdlkit estimates the level.
	Criteria string `json:"criteria"`
	// Requires is the machine form of Criteria.
	Requires LevelRequires `json:"requires"`
}

// LevelRequires is what a practice must show to reach a level. Each level
// also requires everything the levels below it require.
type LevelRequires struct {
	// Documented: every in-scope requirement has a process document
	// (evidence kind "document"), or, where the requirement accepts no
	// documents, any record.
	Documented bool `json:"documented,omitempty"`
	// PracticedReleases: every in-scope requirement has execution evidence
	// (a record of an accepted kind other than "document", or for
	// document-only requirements a document tied to a release) in at least
	// this many distinct releases.
	PracticedReleases int `json:"practiced_releases,omitempty"`
	// ImprovementKinds: the practice has records of these kinds (metrics,
	// reviews) showing that its process is measured and improved…
	ImprovementKinds []string `json:"improvement_kinds,omitempty"`
	// ImprovementWithinDays: …recorded within this many days of the
	// assessment time.
	ImprovementWithinDays int `json:"improvement_within_days,omitempty"`
}

func checkLevels(levels []MaturityLevel, kinds map[string]bool) error {
	for i, l := range levels {
		if l.Level != i+1 || l.ID != fmt.Sprintf("ML%d", i+1) {
			return fmt.Errorf("%w: maturity level %q out of order: levels run ML1 to ML4", ErrInvalidCatalog, l.ID)
		}
		for _, k := range l.Requires.ImprovementKinds {
			if !kinds[k] {
				return fmt.Errorf("%w: maturity level %s: unknown evidence kind %q", ErrInvalidCatalog, l.ID, k)
			}
		}
	}
	return nil
}

// Record is one piece of recorded evidence, as the ledger passes it in.
type Record struct {
	Requirement string    `json:"requirement"`
	Kind        string    `json:"kind"`
	Release     string    `json:"release,omitempty"`
	Time        time.Time `json:"time"`
}

// Assessment is the estimated maturity of one practice and what holds it back.
type Assessment struct {
	Practice string `json:"practice"`
	Level    int    `json:"level"`
	LevelID  string `json:"level_id"`
	// Gaps say what the next level still needs, one line each.
	Gaps []string `json:"gaps,omitempty"`
}

// Assess estimates the maturity level of a practice from records. scope
// lists the requirement IDs that apply (SM-5); nil means all of the
// practice's requirements. now is the assessment time.
func (c *Catalog) Assess(practice string, scope []string, records []Record, now time.Time) (Assessment, error) {
	reqs, err := c.RequirementsOf(practice)
	if err != nil {
		return Assessment{}, err
	}
	p, _ := c.Practice(practice)
	if scope != nil {
		reqs = slices.DeleteFunc(reqs, func(r Requirement) bool { return !slices.Contains(scope, r.ID) })
	}
	byReq := map[string][]Record{}
	for _, r := range records {
		byReq[r.Requirement] = append(byReq[r.Requirement], r)
	}
	a := Assessment{Practice: p.ID, Level: 1, LevelID: "ML1"}
	for _, level := range c.MaturityLevels {
		if level.Level <= 1 {
			continue
		}
		gaps := c.gaps(level.Requires, p.ID, reqs, byReq, records, now)
		if len(gaps) > 0 {
			a.Gaps = gaps
			break
		}
		a.Level, a.LevelID = level.Level, level.ID
	}
	return a, nil
}

// gaps lists what keeps the practice from meeting req.
func (c *Catalog) gaps(req LevelRequires, practice string, reqs []Requirement, byReq map[string][]Record, all []Record, now time.Time) []string {
	var gaps []string
	for _, r := range reqs {
		recs := byReq[r.ID]
		if req.Documented && !documented(r, recs) {
			gaps = append(gaps, r.ID+": no process document recorded")
		}
		if n := practicedReleases(r, recs); n < req.PracticedReleases {
			gaps = append(gaps, fmt.Sprintf("%s: execution evidence in %d release(s), want %d", r.ID, n, req.PracticedReleases))
		}
	}
	for _, kind := range req.ImprovementKinds {
		if !c.improved(practice, kind, all, now, req.ImprovementWithinDays) {
			gaps = append(gaps, fmt.Sprintf("%s: no %q record of process improvement within %d days", practice, kind, req.ImprovementWithinDays))
		}
	}
	return gaps
}

func documented(r Requirement, recs []Record) bool {
	acceptsDocs := slices.Contains(r.Evidence, "document")
	for _, rec := range recs {
		if !acceptsDocs || rec.Kind == "document" {
			return true
		}
	}
	return false
}

// practicedReleases counts the distinct releases with execution evidence.
func practicedReleases(r Requirement, recs []Record) int {
	docOnly := len(r.Evidence) == 1 && r.Evidence[0] == "document"
	releases := map[string]bool{}
	for _, rec := range recs {
		if rec.Release == "" || !slices.Contains(r.Evidence, rec.Kind) {
			continue
		}
		if rec.Kind == "document" && !docOnly {
			continue
		}
		releases[rec.Release] = true
	}
	return len(releases)
}

// improved reports whether a record of kind was made for a requirement of
// practice within days of now.
func (c *Catalog) improved(practice, kind string, all []Record, now time.Time, days int) bool {
	since := now.AddDate(0, 0, -days)
	for _, rec := range all {
		if rec.Kind != kind || rec.Time.Before(since) || rec.Time.After(now) {
			continue
		}
		if r, err := c.Requirement(rec.Requirement); err == nil && r.Practice == practice {
			return true
		}
	}
	return false
}

// AssessAll assesses every practice, in catalog order.
func (c *Catalog) AssessAll(scope []string, records []Record, now time.Time) ([]Assessment, error) {
	out := make([]Assessment, 0, len(c.Practices))
	for _, p := range c.Practices {
		a, err := c.Assess(p.ID, scope, records, now)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
