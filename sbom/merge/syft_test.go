package merge

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/generate"
	"github.com/sdlkit/sdlkit/sbom/validate"
)

// TestMergeSyftWithOurs merges syft's SBOM of the ripgrep fixture with
// sdlkit's of the same lockfile: every crate both tools name must come out
// once, whatever bom-refs each tool used, and syft's graph must survive.
func TestMergeSyftWithOurs(t *testing.T) {
	t.Parallel()
	syft := sbomtest.DecodeFile(t, filepath.Join("testdata", "syft-ripgrep.cdx.json"))
	ours, err := generate.SBOM(context.Background(), filepath.Join(common, "lockfiles", "BurntSushi+ripgrep"), generate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	merged, err := SBOMs([]*sbom.BOM{syft, ours}, Options{Name: "ripgrep", Version: "14"})
	if err != nil {
		t.Fatal(err)
	}
	union := map[string]bool{}
	shared := 0
	inOurs := map[string]bool{}
	for _, c := range ours.Components {
		inOurs[componentIdentity(c)] = true
		union[componentIdentity(c)] = true
	}
	for _, c := range syft.Components {
		id := componentIdentity(c)
		if inOurs[id] {
			shared++
		}
		union[id] = true
	}
	// Both tools read the same Cargo.lock: every crate sdlkit names (52,
	// the lockfile's 63 packages less ripgrep's 11 workspace members),
	// syft names too.
	if shared != len(ours.Components) || shared < 50 {
		t.Fatalf("syft and sdlkit share %d of sdlkit's %d crates, want all", shared, len(ours.Components))
	}
	seen := map[string]int{}
	for _, c := range merged.Components {
		seen[componentIdentity(c)]++
	}
	for id := range union {
		if seen[id] != 1 {
			t.Errorf("%s appears %d times in the merge, want once", id, seen[id])
		}
	}
	// Each input's product becomes a component of the merged product.
	for _, in := range []*sbom.BOM{syft, ours} {
		if id := componentIdentity(in.Product); !union[id] {
			union[id] = true
			if seen[id] != 1 {
				t.Errorf("input product %s appears %d times, want once", id, seen[id])
			}
		}
	}
	if len(merged.Components) != len(union) {
		t.Errorf("merged %d components, want the union of %d", len(merged.Components), len(union))
	}
	edges := map[[2]string]bool{}
	for _, d := range merged.Dependencies {
		for _, to := range d.DependsOn {
			edges[[2]string{d.Ref, to}] = true
		}
	}
	ids := map[string]string{}
	for _, c := range syft.Components {
		ids[c.BOMRef] = componentIdentity(c)
	}
	total := 0
	for _, d := range syft.Dependencies {
		for _, to := range d.DependsOn {
			from, ok1 := ids[d.Ref]
			target, ok2 := ids[to]
			if !ok1 || !ok2 {
				continue
			}
			total++
			if !edges[[2]string{from, target}] {
				t.Errorf("syft edge %s → %s lost", from, target)
			}
		}
	}
	if total == 0 {
		t.Error("syft's SBOM has no edges between components; the test checks nothing")
	}
	if r, err := validate.Document(encodeMerged(t, merged), "merged"); err != nil || !r.Valid {
		t.Fatalf("merged BOM does not validate: %v %+v", err, r)
	}
}
