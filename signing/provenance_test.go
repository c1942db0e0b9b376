package signing

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestProvenancePredicate(t *testing.T) {
	t.Parallel()
	p := Provenance{
		BuildType:          "https://sdlkit.dev/run/v1",
		BuilderID:          "https://github.com/example/app/.github/workflows/release.yml@refs/tags/v1.0.0",
		BuilderVersion:     map[string]string{"sdlkit": "v0.3.0"},
		ExternalParameters: map[string]any{"version": "v1.0.0", "artifacts": []any{"dist/*"}},
		Dependencies:       []Resource{{URI: "git+https://github.com/example/app", Digest: map[string]string{"gitCommit": strings.Repeat("a", 40)}}},
		InvocationID:       "run-1",
		StartedOn:          time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC),
	}
	a, err := p.Predicate()
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Predicate()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("two predicates of the same provenance differ:\n%s\n%s", a, b)
	}
	var got struct {
		BuildDefinition struct {
			BuildType            string
			ExternalParameters   map[string]any
			ResolvedDependencies []struct {
				URI    string `json:"uri"`
				Digest map[string]string
			}
		}
		RunDetails struct {
			Builder  struct{ ID string }
			Metadata struct{ InvocationID, StartedOn string }
		}
	}
	if err := json.Unmarshal(a, &got); err != nil {
		t.Fatal(err)
	}
	if got.BuildDefinition.BuildType != p.BuildType || got.RunDetails.Builder.ID != p.BuilderID ||
		got.RunDetails.Metadata.StartedOn != "2026-12-06T10:00:00Z" || got.RunDetails.Metadata.InvocationID != "run-1" ||
		len(got.BuildDefinition.ResolvedDependencies) != 1 || got.BuildDefinition.ResolvedDependencies[0].Digest["gitCommit"] != strings.Repeat("a", 40) ||
		got.BuildDefinition.ExternalParameters["version"] != "v1.0.0" {
		t.Errorf("predicate fields wrong:\n%s", a)
	}
	// A statement over it checks as any predicate does.
	if _, err := Statement([]Subject{SubjectFor("app", DigestBytes([]byte("app")))}, ProvenanceType, a); err != nil {
		t.Errorf("Statement(provenance) = %v", err)
	}
	if _, err := (Provenance{BuildType: "x"}).Predicate(); err == nil {
		t.Error("a provenance without builder passed in-toto's Validate")
	}
	if _, err := (Provenance{BuildType: "x", BuilderID: "b", ExternalParameters: map[string]any{"ch": make(chan int)}}).Predicate(); err == nil {
		t.Error("a parameter that is not JSON was accepted")
	}
}
