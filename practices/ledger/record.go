package ledger

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sdlkit/sdlkit/practices"
)

// RecordFormat is the format of the record files this version writes and
// reads; schema/record.schema.json describes it.
const RecordFormat = "sdlkit.ledger.record/v1"

// Record is one evidence event: a file or a person's decision recorded as
// evidence for requirements of one product, usually one release of it.
type Record struct {
	Format string `json:"format"`
	// ID is derived from the record's content (see computeID): the first 24
	// hex digits of the SHA-256 of the record with an empty id.
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
	// Actor is who or what made the record: "Name <email>", or a CI
	// identity such as "github:owner/repo/.github/workflows/release.yml".
	Actor   string `json:"actor"`
	Product string `json:"product"`
	// Version is the release the record is evidence for; empty for
	// evidence not tied to a release (a process document).
	Version      string   `json:"version,omitempty"`
	Requirements []string `json:"requirements"`
	// Kind is one of the catalog's evidence kinds.
	Kind string `json:"kind"`
	// Subject names what the evidence is about: an artifact, a document.
	Subject  *Subject  `json:"subject,omitempty"`
	Evidence []File    `json:"evidence,omitempty"`
	Summary  string    `json:"summary,omitempty"`
	Review   *Decision `json:"review,omitempty"`
	// Producer is the command that made the evidence ("sdlkit scan").
	Producer string `json:"producer,omitempty"`
	// Facts are what a producer extracted for reports: "components",
	// "findings.critical", "identity"… Values are strings.
	Facts map[string]string `json:"facts,omitempty"`
}

// Subject is what a record is evidence about.
type Subject struct {
	Name   string `json:"name,omitempty"`
	Digest string `json:"digest"`
}

// File is one evidence file, stored at EvidencePath(Digest).
type File struct {
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	Digest    string `json:"digest"`
}

// Decision is a person's review or approval.
type Decision struct {
	Status string `json:"status"`
	Note   string `json:"note,omitempty"`
}

// ReviewStatuses are the statuses a review may have.
var reviewStatuses = []string{"approved", "rejected", "changes-requested", "reviewed"}

// ReviewStatuses returns the statuses a review may have.
func ReviewStatuses() []string { return slices.Clone(reviewStatuses) }

// Limits on a record's fields, so that a ledger stays readable and a record
// cannot be used to smuggle large data past the evidence store.
const (
	MaxRecordSize   = 256 << 10
	maxSummary      = 8 << 10
	maxFacts        = 64
	maxEvidence     = 256
	maxRequirements = 64
	maxField        = 1024
)

// ErrInvalidRecord marks a record that breaks the format.
var ErrInvalidRecord = errors.New("invalid record")

var (
	digestPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	idPattern     = regexp.MustCompile(`^[0-9a-f]{24}$`)
)

// computeID returns the id a record's content gives it.
func computeID(r Record) (string, error) {
	r.ID = ""
	data, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])[:24], nil
}

// RecordPath is the path of a record's file in the ledger's tree.
func RecordPath(id string) string { return "records/" + id[:2] + "/" + id + ".json" }

// EvidencePath is the path of an evidence file ("sha256:<hex>") in the
// ledger's tree.
func EvidencePath(digest string) string {
	h := strings.TrimPrefix(digest, "sha256:")
	return "evidence/sha256/" + h[:2] + "/" + h
}

// Check reports the first way r breaks the record format or names what
// catalog c does not hold.
func (r *Record) Check(c *practices.Catalog) error {
	if err := r.checkFields(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidRecord, err)
	}
	if err := r.checkCatalog(c); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidRecord, err)
	}
	return nil
}

func (r *Record) checkFields() error {
	if r.Format != RecordFormat {
		return fmt.Errorf("format %q, want %q", r.Format, RecordFormat)
	}
	if !idPattern.MatchString(r.ID) {
		return fmt.Errorf("id %q is not 24 hex digits", r.ID)
	}
	if want, err := computeID(*r); err != nil || want != r.ID {
		return fmt.Errorf("id %s does not match the record's content", r.ID)
	}
	if r.Time.IsZero() {
		return errors.New("no time")
	}
	for name, v := range map[string]string{"actor": r.Actor, "product": r.Product, "kind": r.Kind} {
		if v == "" {
			return fmt.Errorf("no %s", name)
		}
	}
	if err := checkStrings(r); err != nil {
		return err
	}
	if len(r.Requirements) == 0 || len(r.Requirements) > maxRequirements {
		return fmt.Errorf("%d requirements, want 1 to %d", len(r.Requirements), maxRequirements)
	}
	if r.Subject != nil && !digestPattern.MatchString(r.Subject.Digest) {
		return fmt.Errorf("subject digest %q is not sha256:<64 hex>", r.Subject.Digest)
	}
	if len(r.Evidence) > maxEvidence {
		return fmt.Errorf("%d evidence files, at most %d", len(r.Evidence), maxEvidence)
	}
	for _, f := range r.Evidence {
		if !digestPattern.MatchString(f.Digest) || f.Size < 0 || f.Name == "" || f.MediaType == "" {
			return fmt.Errorf("evidence file %q: want a name, a media type, a size and a sha256 digest", f.Name)
		}
	}
	if r.Review != nil && !slices.Contains(reviewStatuses, r.Review.Status) {
		return fmt.Errorf("review status %q, want one of %s", r.Review.Status, strings.Join(reviewStatuses, ", "))
	}
	if len(r.Facts) > maxFacts {
		return fmt.Errorf("%d facts, at most %d", len(r.Facts), maxFacts)
	}
	return nil
}

// checkStrings bounds every string of r and keeps them valid UTF-8.
func checkStrings(r *Record) error {
	fields := []string{r.Actor, r.Product, r.Version, r.Kind, r.Producer}
	fields = append(fields, r.Requirements...)
	if r.Subject != nil {
		fields = append(fields, r.Subject.Name)
	}
	for _, f := range r.Evidence {
		fields = append(fields, f.Name, f.MediaType)
	}
	for k, v := range r.Facts {
		fields = append(fields, k, v)
	}
	for _, s := range fields {
		if len(s) > maxField || !utf8.ValidString(s) {
			return fmt.Errorf("a field is longer than %d bytes or not UTF-8", maxField)
		}
	}
	long := []string{r.Summary}
	if r.Review != nil {
		long = append(long, r.Review.Note)
	}
	for _, s := range long {
		if len(s) > maxSummary || !utf8.ValidString(s) {
			return fmt.Errorf("a summary or note is longer than %d bytes or not UTF-8", maxSummary)
		}
	}
	return nil
}

func (r *Record) checkCatalog(c *practices.Catalog) error {
	if _, ok := c.EvidenceKind(r.Kind); !ok {
		return fmt.Errorf("evidence kind %q is not in the catalog", r.Kind)
	}
	for _, id := range r.Requirements {
		if _, err := c.Requirement(id); err != nil {
			return fmt.Errorf("requirement %q is not in the catalog", id)
		}
	}
	return nil
}

// parseRecord decodes a record file strictly: unknown fields, trailing data
// and a second document are errors.
func parseRecord(data []byte) (*Record, error) {
	if len(data) > MaxRecordSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalidRecord, MaxRecordSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Record
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the record", ErrInvalidRecord)
	}
	if err := r.checkFields(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
	}
	return &r, nil
}

// encode returns a record's file content: indented JSON and a newline.
func (r *Record) encode() ([]byte, error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// RecordSchema is the JSON Schema of a record file (schema/record.schema.json,
// $id https://sdlkit.dev/ledger-record/v1).
//
//go:embed schema/record.schema.json
var RecordSchema []byte
