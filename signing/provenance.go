package signing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	slsa "github.com/in-toto/attestation/go/predicates/provenance/v1"
	intoto "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// ProvenanceType is the predicate type of SLSA v1 provenance.
const ProvenanceType = "https://slsa.dev/provenance/v1"

// Provenance describes the build that made a set of artifacts: what SLSA
// v1 provenance records (https://slsa.dev/spec/v1.0/provenance).
type Provenance struct {
	// BuildType is a URI for the template the other fields follow.
	BuildType string
	// BuilderID identifies what ran the build: a CI workflow's URI, or a
	// local builder's.
	BuilderID      string
	BuilderVersion map[string]string
	// ExternalParameters are the inputs a user controls; Internal those
	// the builder chose. Values must be JSON: strings, numbers, bools,
	// lists and maps of them.
	ExternalParameters map[string]any
	InternalParameters map[string]any
	// Dependencies are what the build read: the source at its commit, the
	// configuration, the advisory store.
	Dependencies []Resource
	InvocationID string
	StartedOn    time.Time
	FinishedOn   time.Time
}

// Resource is a resource descriptor: a name or URI and its digests
// ("sha256", "gitCommit").
type Resource struct {
	Name   string
	URI    string
	Digest map[string]string
}

// Predicate returns the provenance as an indented JSON predicate, with
// stable bytes for the same fields. It is built with in-toto's own SLSA v1
// types and checked by their Validate.
func (p Provenance) Predicate() ([]byte, error) {
	ext, err := structpb.NewStruct(p.ExternalParameters)
	if err != nil {
		return nil, fmt.Errorf("provenance external parameters: %w", err)
	}
	pred := &slsa.Provenance{
		BuildDefinition: &slsa.BuildDefinition{BuildType: p.BuildType, ExternalParameters: ext},
		RunDetails: &slsa.RunDetails{
			Builder:  &slsa.Builder{Id: p.BuilderID, Version: p.BuilderVersion},
			Metadata: &slsa.BuildMetadata{InvocationId: p.InvocationID},
		},
	}
	if len(p.InternalParameters) > 0 {
		if pred.BuildDefinition.InternalParameters, err = structpb.NewStruct(p.InternalParameters); err != nil {
			return nil, fmt.Errorf("provenance internal parameters: %w", err)
		}
	}
	for _, d := range p.Dependencies {
		pred.BuildDefinition.ResolvedDependencies = append(pred.BuildDefinition.ResolvedDependencies,
			&intoto.ResourceDescriptor{Name: d.Name, Uri: d.URI, Digest: d.Digest})
	}
	if !p.StartedOn.IsZero() {
		pred.RunDetails.Metadata.StartedOn = timestamppb.New(p.StartedOn)
	}
	if !p.FinishedOn.IsZero() {
		pred.RunDetails.Metadata.FinishedOn = timestamppb.New(p.FinishedOn)
	}
	if err := pred.Validate(); err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	raw, err := protojson.Marshal(pred)
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	// protojson varies its whitespace on purpose; re-indent for stable bytes.
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	return buf.Bytes(), nil
}
