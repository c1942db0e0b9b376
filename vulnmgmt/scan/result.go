package scan

import (
	"time"

	"github.com/sdlkit/sdlkit/vulnmgmt/severity"
	"github.com/sdlkit/sdlkit/vulnmgmt/vex"
)

// SchemaVersion names the JSON result's format; it changes when a field
// changes meaning or goes away.
const SchemaVersion = "https://sdlkit.dev/scan-result/v1"

// Result is what a scan found: the versioned JSON result of 'sdlkit scan
// --format json', and the model every renderer draws from.
type Result struct {
	Schema string `json:"$schema"`
	// Tool is the scanner: sdlkit and its version.
	Tool Tool `json:"tool"`
	// ScannedAt is when the scan ran (SOURCE_DATE_EPOCH when set).
	ScannedAt time.Time `json:"scanned_at"`
	Target    Target    `json:"target"`
	// Store is what the scan was checked against.
	Store StoreRef `json:"store"`
	// Findings are one per component and vulnerability (aliases
	// grouped), the most severe first.
	Findings []Finding `json:"findings"`
	// Summary counts the findings by rating, suppressed ones apart.
	Summary Summary `json:"summary"`
	// Unchecked lists what could not be checked, and why: a component
	// without version, an ecosystem without advisories in the store.
	Unchecked []Unchecked `json:"unchecked"`
	// VEX names the VEX documents applied.
	VEX []string `json:"vex"`
}

// Tool names the scanner.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Target is the scanned product.
type Target struct {
	// Source is the file or directory scanned.
	Source     string `json:"source"`
	Name       string `json:"name"`
	Version    string `json:"version,omitempty"`
	PURL       string `json:"purl,omitempty"`
	Components int    `json:"components"`
}

// StoreRef names the advisory store a scan used.
type StoreRef struct {
	Digest  string    `json:"digest"`
	Newest  time.Time `json:"newest"`
	Records int       `json:"records"`
}

// Component is the affected component of a finding.
type Component struct {
	Ref       string   `json:"ref"`
	Name      string   `json:"name"`
	Version   string   `json:"version"`
	Ecosystem string   `json:"ecosystem"`
	PURL      string   `json:"purl,omitempty"`
	Scope     string   `json:"scope,omitempty"`
	Locations []string `json:"locations,omitempty"`
}

// Finding is one vulnerability of one component.
type Finding struct {
	// ID is the advisory's id (the smallest of the matched records' ids);
	// Aliases are every other name of the same flaw.
	ID        string    `json:"id"`
	Aliases   []string  `json:"aliases"`
	Component Component `json:"component"`
	Summary   string    `json:"summary,omitempty"`
	// Severity is the highest of the matched records'.
	Severity severity.Severity `json:"severity"`
	// Fixed are the versions that fix it, per the matched ranges.
	Fixed      []string  `json:"fixed"`
	Published  time.Time `json:"published,omitzero"`
	Modified   time.Time `json:"modified,omitzero"`
	References []string  `json:"references,omitempty"`
	// Advisories are the ids of the matched records.
	Advisories []string `json:"advisories"`
	// Suppressed is true when a VEX statement says not_affected or
	// fixed; VEX is the statement that applies, suppressing or not.
	Suppressed bool           `json:"suppressed"`
	VEX        *vex.Statement `json:"vex,omitempty"`
}

// IDs are the finding's id and aliases.
func (f *Finding) IDs() []string { return append([]string{f.ID}, f.Aliases...) }

// Summary counts findings.
type Summary struct {
	Critical   int `json:"critical"`
	High       int `json:"high"`
	Medium     int `json:"medium"`
	Low        int `json:"low"`
	Unknown    int `json:"unknown"`
	Suppressed int `json:"suppressed"`
}

// Unchecked is something a scan could not check.
type Unchecked struct {
	// Ecosystem is set for an ecosystem without advisories, Component for
	// a component that cannot be matched.
	Ecosystem string `json:"ecosystem,omitempty"`
	Component string `json:"component,omitempty"`
	Reason    string `json:"reason"`
}

// AtOrAbove counts the unsuppressed findings rated r or higher.
func (r *Result) AtOrAbove(rating severity.Rating) int {
	n := 0
	for _, f := range r.Findings {
		if !f.Suppressed && f.Severity.Rating.AtLeast(rating) {
			n++
		}
	}
	return n
}
