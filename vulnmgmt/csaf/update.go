package csaf

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// UpdateOptions are the choices of a new revision.
type UpdateOptions struct {
	// Summary says what changed; it goes into the revision history.
	Summary string
	// Status is the new status; "" keeps the old one.
	Status string
	Now    time.Time
	Tool   Engine
}

// Update makes the next revision of old: the content of fresh (old's own
// when fresh is nil) under old's tracking id, initial release date and
// revision history, with the version bumped, a revision added and the
// current release date set to now. A final document does not go back to
// draft or interim.
func Update(old, fresh *Advisory, o UpdateOptions) (*Advisory, error) {
	if o.Summary == "" {
		return nil, errors.New("update advisory: say what changed (a summary)")
	}
	t := old.Document.Tracking
	status := t.Status
	if o.Status != "" {
		if t.Status == "final" && o.Status != "final" {
			return nil, fmt.Errorf("update advisory %s: a final document stays final, it cannot become %s", t.ID, o.Status)
		}
		status = o.Status
	}
	next, err := nextVersion(t.Version)
	if err != nil {
		return nil, fmt.Errorf("update advisory %s: %w", t.ID, err)
	}
	out := *old
	if fresh != nil {
		out = *fresh
		out.Document.Tracking = t
		out.Document.Publisher = old.Document.Publisher
		out.Document.Title = old.Document.Title
	}
	now := o.Now.UTC().Format(time.RFC3339)
	tr := &out.Document.Tracking
	tr.RevisionHistory = append(append([]Revision(nil), t.RevisionHistory...), Revision{Date: now, Number: next, Summary: o.Summary})
	tr.Version, tr.Status, tr.CurrentReleaseDate = next, status, now
	if o.Tool.Name != "" {
		tr.Generator = &Generator{Date: now, Engine: o.Tool}
	}
	return &out, nil
}

// nextVersion is the integer after an integer version, the next minor
// release of a semantic version.
func nextVersion(v string) (string, error) {
	if integerVersion().MatchString(v) {
		n, err := strconv.Atoi(v)
		if err != nil {
			return "", err
		}
		return strconv.Itoa(n + 1), nil
	}
	m := semanticVersion().FindStringSubmatch(v)
	if m == nil {
		return "", fmt.Errorf("version %q is neither an integer nor a semantic version", v)
	}
	minor, err := strconv.Atoi(m[2])
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s.%d.0", m[1], minor+1), nil
}
