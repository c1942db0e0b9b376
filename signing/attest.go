package signing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/sign"
)

// In-toto Statement v1 constants.
const (
	StatementType     = "https://in-toto.io/Statement/v1"
	InTotoPayloadType = "application/vnd.in-toto+json"
)

// PredicateTypes maps the short --type names to predicate type URIs, the
// same mapping cosign uses (cosign's options.PredicateTypeMap), so that
// attestations from either tool are found by the same --type.
var PredicateTypes = map[string]string{
	"custom":           "https://cosign.sigstore.dev/attestation/v1",
	"slsaprovenance":   "https://slsa.dev/provenance/v0.2",
	"slsaprovenance02": "https://slsa.dev/provenance/v0.2",
	"slsaprovenance1":  "https://slsa.dev/provenance/v1",
	"spdx":             "https://spdx.dev/Document",
	"spdxjson":         "https://spdx.dev/Document",
	"cyclonedx":        "https://cyclonedx.org/bom",
	"link":             "https://in-toto.io/Link/v1",
	"vuln":             "https://cosign.sigstore.dev/attestation/vuln/v1",
	"openvex":          "https://openvex.dev/ns",
}

// PredicateTypeNames returns the short names of PredicateTypes, sorted.
func PredicateTypeNames() []string {
	names := make([]string, 0, len(PredicateTypes))
	for n := range PredicateTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ParsePredicateType turns a short name or an absolute URI into a
// predicate type URI.
func ParsePredicateType(t string) (string, error) {
	if uri, ok := PredicateTypes[t]; ok {
		return uri, nil
	}
	u, err := url.Parse(t)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return "", fmt.Errorf("unknown predicate type %q: use one of %s, or an absolute URI", t, strings.Join(PredicateTypeNames(), ", "))
	}
	return t, nil
}

// Subject is an in-toto subject: a name and its digests by algorithm
// ("sha256": hex).
type Subject struct {
	Name    string            `json:"name"`
	Digests map[string]string `json:"digest"`
}

// SubjectFor returns the subject for an artifact named name with SHA-256
// digest d.
func SubjectFor(name string, d Digest) Subject {
	return Subject{Name: name, Digests: map[string]string{"sha256": d.Hex()}}
}

type statement struct {
	Type          string          `json:"_type"`
	Subject       []Subject       `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

// Statement builds an in-toto Statement v1. predicate must be a JSON
// object (an SBOM, a VEX document, a scan report, provenance).
func Statement(subjects []Subject, predicateType string, predicate []byte) ([]byte, error) {
	if len(subjects) == 0 {
		return nil, errors.New("build statement: no subject")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, predicate); err != nil {
		return nil, fmt.Errorf("build statement: predicate is not JSON: %w", err)
	}
	if compact.Len() == 0 || compact.Bytes()[0] != '{' {
		return nil, errors.New("build statement: predicate must be a JSON object")
	}
	return json.Marshal(statement{Type: StatementType, Subject: subjects, PredicateType: predicateType, Predicate: compact.Bytes()})
}

// Attest signs an in-toto Statement v1 about subjects in a DSSE envelope and
// returns it as a bundle.
func (s *Signer) Attest(ctx context.Context, subjects []Subject, predicateType string, predicate []byte, opts SignOptions) (*Bundle, error) {
	stmt, err := Statement(subjects, predicateType, predicate)
	if err != nil {
		return nil, err
	}
	b, err := s.bundle(ctx, &sign.DSSEData{Data: stmt, PayloadType: InTotoPayloadType}, s, opts)
	if err != nil {
		return nil, fmt.Errorf("attest %s: %w", subjects[0].Name, err)
	}
	return b, nil
}
