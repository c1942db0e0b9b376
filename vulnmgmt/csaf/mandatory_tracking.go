package csaf

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/semver"
)

// Document versions are integers or semantic versions (section 3.1.11).
var (
	integerVersion  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(0|[1-9][0-9]*)$`) })
	semanticVersion = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)
	})
)

// major is the version's integer or major version; ok is false for a
// version of neither form.
func major(v string) (int, bool) {
	if integerVersion().MatchString(v) {
		n, err := strconv.Atoi(v)
		return n, err == nil
	}
	if m := semanticVersion().FindStringSubmatch(v); m != nil {
		n, err := strconv.Atoi(m[1])
		return n, err == nil
	}
	return 0, false
}

// preRelease tells whether a semantic version has a pre-release part.
func preRelease(v string) bool {
	m := semanticVersion().FindStringSubmatch(v)
	return m != nil && m[4] != ""
}

// withoutBuild drops the build metadata; withoutPreRelease drops the
// pre-release part too.
func withoutBuild(v string) string {
	v, _, _ = strings.Cut(v, "+")
	return v
}

func withoutPreRelease(v string) string {
	v, _, _ = strings.Cut(withoutBuild(v), "-")
	return v
}

// compareVersions orders document versions: integers by value, semantic
// versions by precedence (build metadata ignored).
func compareVersions(a, b string) int {
	if integerVersion().MatchString(a) && integerVersion().MatchString(b) {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return cmp.Compare(x, y)
	}
	return semver.Compare("v"+versionAsSemver(a), "v"+versionAsSemver(b))
}

func versionAsSemver(v string) string {
	if integerVersion().MatchString(v) {
		return v + ".0.0"
	}
	return v
}

// revision is a revision history entry with its index.
type revision struct {
	Revision
	index int
	date  time.Time
}

// byDate returns the revision history sorted by date, then by number.
func byDate(a *Advisory) []revision {
	rs := make([]revision, len(a.Document.Tracking.RevisionHistory))
	for i, r := range a.Document.Tracking.RevisionHistory {
		t, _ := time.Parse(time.RFC3339Nano, r.Date)
		rs[i] = revision{Revision: r, index: i, date: t}
	}
	slices.SortStableFunc(rs, func(x, y revision) int {
		if c := x.date.Compare(y.date); c != 0 {
			return c
		}
		return compareVersions(x.Number, y.Number)
	})
	return rs
}

func revisionPath(i int, field string) string {
	return ptr("document", "tracking", "revision_history", i, field)
}

const versionPath = "/document/tracking/version"

// released tells whether the document's status is interim or final.
func released(a *Advisory) bool {
	s := a.Document.Tracking.Status
	return s == "final" || s == "interim"
}

func sortedRevisions(a *Advisory) []Finding {
	rs := byDate(a)
	var out []Finding
	for i := 1; i < len(rs); i++ {
		if rs[i].date.After(rs[i-1].date) && compareVersions(rs[i].Number, rs[i-1].Number) < 0 {
			out = append(out, finding(revisionPath(rs[i].index, "number"), "revision %s is dated after revision %s", rs[i].Number, rs[i-1].Number))
		}
	}
	return out
}

func latestVersion(a *Advisory) []Finding {
	rs := byDate(a)
	if len(rs) == 0 {
		return nil
	}
	last, version := withoutBuild(rs[len(rs)-1].Number), withoutBuild(a.Document.Tracking.Version)
	if a.Document.Tracking.Status == "draft" {
		last, version = withoutPreRelease(last), withoutPreRelease(version)
	}
	if last != version {
		return []Finding{finding(versionPath, "version %s is not the number of the latest revision, %s", a.Document.Tracking.Version, rs[len(rs)-1].Number)}
	}
	return nil
}

func draftStatus(a *Advisory) []Finding {
	t := a.Document.Tracking
	if n, ok := major(t.Version); ok && (n == 0 || preRelease(t.Version)) && t.Status != "draft" {
		return []Finding{finding("/document/tracking/status", "status is %s, but version %s is a draft's", t.Status, t.Version)}
	}
	return nil
}

func releasedRevisions(a *Advisory) []Finding {
	if !released(a) {
		return nil
	}
	var out []Finding
	for i, r := range a.Document.Tracking.RevisionHistory {
		if n, ok := major(r.Number); ok && n == 0 {
			out = append(out, finding(revisionPath(i, "number"), "a %s document has a revision %s", a.Document.Tracking.Status, r.Number))
		}
	}
	return out
}

func preReleaseRevisions(a *Advisory) []Finding {
	var out []Finding
	for i, r := range a.Document.Tracking.RevisionHistory {
		if preRelease(r.Number) {
			out = append(out, finding(revisionPath(i, "number"), "revision %s is a pre-release", r.Number))
		}
	}
	return out
}

func nonDraftVersion(a *Advisory) []Finding {
	if released(a) && preRelease(a.Document.Tracking.Version) {
		return []Finding{finding(versionPath, "a %s document has the pre-release version %s", a.Document.Tracking.Status, a.Document.Tracking.Version)}
	}
	return nil
}

// missingRevisions reports a gap in the (major) version numbers of the
// history sorted by date, and a history that starts above 1 (6.1.21).
func missingRevisions(a *Advisory) []Finding {
	rs := byDate(a)
	var out []Finding
	prev := -1
	for i, r := range rs {
		n, ok := major(r.Number)
		if !ok {
			return nil
		}
		switch {
		case i == 0 && n > 1:
			out = append(out, finding(revisionPath(r.index, "number"), "the first revision is %s, not 0 or 1", r.Number))
		case i > 0 && n > prev+1:
			out = append(out, finding(revisionPath(r.index, "number"), "revision %s follows %d: a version is missing", r.Number, prev))
		}
		prev = n
	}
	return out
}

func multipleRevisions(a *Advisory) []Finding {
	seen := map[string]int{}
	var out []Finding
	for i, r := range a.Document.Tracking.RevisionHistory {
		if j, ok := seen[r.Number]; ok {
			out = append(out, finding(revisionPath(i, "number"), "revision %s is also revision_history/%d", r.Number, j))
			continue
		}
		seen[r.Number] = i
	}
	return out
}

func mixedVersioning(a *Advisory) []Finding {
	t := a.Document.Tracking
	integer := integerVersion().MatchString(t.Version)
	var out []Finding
	for i, r := range t.RevisionHistory {
		if integerVersion().MatchString(r.Number) != integer {
			out = append(out, finding(revisionPath(i, "number"), "revision %s and version %s mix integer and semantic versioning", r.Number, t.Version))
		}
	}
	return out
}
