package signing

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/sign"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/sdlkit/sdlkit/internal/readlimit"
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
// object (an SBOM, a VEX document, a scan report, provenance) that
// Sigstore verifiers read back (see CheckPredicate), and the statement must
// fit a bundle of at most MaxBundleSize.
func Statement(subjects []Subject, predicateType string, predicate []byte) ([]byte, error) {
	if len(subjects) == 0 {
		return nil, errors.New("build statement: no subject")
	}
	if err := checkPredicate(predicate); err != nil {
		return nil, fmt.Errorf("build statement: predicate: %w", err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, predicate); err != nil {
		return nil, fmt.Errorf("build statement: predicate: not JSON: %w", err)
	}
	stmt, err := json.Marshal(statement{Type: StatementType, Subject: subjects, PredicateType: predicateType, Predicate: compact.Bytes()})
	if err != nil {
		return nil, fmt.Errorf("build statement: %w", err)
	}
	if n := int64(base64.StdEncoding.EncodedLen(len(stmt))) + bundleOverhead; n > MaxBundleSize {
		return nil, fmt.Errorf("build statement: its bundle would be %s, larger than the %s limit for a bundle that verify reads", readlimit.FormatSize(n), readlimit.FormatSize(MaxBundleSize))
	}
	// Read the statement back exactly as sigstore-go's verifier reads the
	// payload of a DSSE envelope, so that nothing is signed that verify
	// then refuses.
	env := &bundle.Envelope{Envelope: &dsse.Envelope{PayloadType: InTotoPayloadType, Payload: base64.StdEncoding.EncodeToString(stmt)}}
	if _, err := env.Statement(); err != nil {
		return nil, fmt.Errorf("build statement: sigstore verifiers cannot read it: %w", err)
	}
	return stmt, nil
}

// CheckPredicate checks that data is a predicate that Statement accepts
// and that verifiers read back: a JSON object, valid UTF-8 (in-toto
// verifiers read the predicate as a protobuf Struct, which refuses invalid
// UTF-8), at most MaxPredicateSize bytes. name is used in messages.
func CheckPredicate(name string, data []byte) error {
	if int64(len(data)) > MaxPredicateSize {
		return unreadable(&readlimit.TooLargeError{Kind: predicateKind, Path: name})
	}
	if err := checkPredicate(data); err != nil {
		return fmt.Errorf("read predicate %q: %w", name, err)
	}
	return nil
}

// ReadPredicateFile reads and checks (CheckPredicate) the predicate at
// path, at most MaxPredicateSize bytes; a read from a pipe stops when ctx
// is cancelled.
func ReadPredicateFile(ctx context.Context, path string) ([]byte, error) {
	data, err := readlimit.ReadFile(ctx, path, predicateKind)
	if err != nil {
		return nil, unreadable(err)
	}
	if err := CheckPredicate(path, data); err != nil {
		return nil, err
	}
	return data, nil
}

// checkPredicate says what keeps data from being a predicate.
func checkPredicate(data []byte) error {
	if !utf8.Valid(data) {
		return unreadable(errors.New("not valid UTF-8"))
	}
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		return unreadable(fmt.Errorf("not JSON: %v", err))
	}
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return unreadable(errors.New("not a JSON object"))
	}
	if err := protojson.Unmarshal(data, &structpb.Struct{}); err != nil {
		return unreadable(fmt.Errorf("JSON that in-toto verifiers cannot read: %v", err))
	}
	return nil
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
		return nil, fmt.Errorf("attest %q: %w", subjects[0].Name, err)
	}
	return b, nil
}
