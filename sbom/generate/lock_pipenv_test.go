package generate

import (
	"context"
	"testing"

	"github.com/sdlkit/sdlkit/sbom"

	"github.com/google/go-cmp/cmp"
)

// pipfileLockForTest is a Pipfile.lock written for this test in the shape
// pipenv writes (pipfile-spec 6): pinned packages with hashes and markers,
// a mixed-case and an underscored name, a VCS package without a version, a
// package in both sections.
const pipfileLockForTest = `{
    "_meta": {
        "hash": {"sha256": "4f0c4b7a0b1e7a6f0cbd8b3b6f0b5e8b4d1c8e2a9f3e6d7c1b2a3f4e5d6c7b8a"},
        "pipfile-spec": 6,
        "requires": {"python_version": "3.12"},
        "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true}]
    },
    "default": {
        "Flask": {
            "hashes": [
                "sha256:34e815dfaa43340d1d15a5c3a02b8476004037eb4840b34910c6e21679d288f3",
                "sha256:ceb27b0af3823ea2737928a4d99d125a06175b8512c445cbd9a9ce200ef76842"
            ],
            "index": "pypi",
            "markers": "python_version >= '3.8'",
            "version": "==3.0.3"
        },
        "typing_extensions": {
            "hashes": ["sha256:04e5ca0351e0f3f85c6853954072df659d0d13fac324d0072316b67d7794700d"],
            "version": "==4.12.2"
        },
        "mylib": {"git": "https://example.com/mylib.git", "ref": "0123456789abcdef0123456789abcdef01234567"}
    },
    "develop": {
        "typing_extensions": {
            "hashes": ["sha256:04e5ca0351e0f3f85c6853954072df659d0d13fac324d0072316b67d7794700d"],
            "version": "==4.12.2"
        },
        "pytest": {
            "hashes": ["sha256:70b98107bd648308a7952b06e6ca9a50bc660be218d53c257cc1fc94fda10181"],
            "version": "==8.3.3"
        }
    }
}
`

func TestPipfileLockHashes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Pipfile.lock": pipfileLockForTest})
	b, err := SBOM(context.Background(), dir, Options{IncludeDev: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]sbom.Hash{}
	for _, c := range b.Components {
		got[c.BOMRef] = c.Hashes
	}
	sha := func(vs ...string) []sbom.Hash {
		var out []sbom.Hash
		for _, v := range vs {
			out = append(out, sbom.Hash{Algorithm: "SHA-256", Value: v})
		}
		return out
	}
	want := map[string][]sbom.Hash{
		"pkg:pypi/flask@3.0.3": sha("34e815dfaa43340d1d15a5c3a02b8476004037eb4840b34910c6e21679d288f3",
			"ceb27b0af3823ea2737928a4d99d125a06175b8512c445cbd9a9ce200ef76842"),
		"pkg:pypi/typing-extensions@4.12.2": sha("04e5ca0351e0f3f85c6853954072df659d0d13fac324d0072316b67d7794700d"),
		"pkg:pypi/pytest@8.3.3":             sha("70b98107bd648308a7952b06e6ca9a50bc660be218d53c257cc1fc94fda10181"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hashes by component (-want +got):\n%s", diff)
	}
}
