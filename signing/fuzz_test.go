package signing

import (
	"errors"
	"os"
	"path"
	"path/filepath"
	"testing"
)

// FuzzReadBundle feeds arbitrary bytes to the bundle reader and, when a
// bundle is accepted, to the verifier. Neither may panic, and every error
// must be classified as unreadable or invalid.
func FuzzReadBundle(f *testing.F) {
	// Seeds: the conformance suite's bundles (read from their archive, in
	// archive order) and sigstore-js's test bundles.
	archive := filepath.Join(conformanceDir, "test-assets.tar.gz")
	var conformance int
	for _, a := range readTarGz(f, archive) {
		if ok, _ := path.Match("test/assets/bundle-verify/*/bundle.sigstore.json", a.name); ok {
			f.Add(a.data)
			conformance++
		}
	}
	js, err := filepath.Glob(filepath.Join(sigstoreData, "sigstore-js", "tests", "bundles", "*.sigstore"))
	if err != nil {
		f.Fatal(err)
	}
	if conformance == 0 || len(js) == 0 {
		f.Fatalf("seed bundles missing: %d in %s, %d sigstore-js", conformance, archive, len(js))
	}
	for _, p := range js {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
	f.Add([]byte(`{}`))
	s, _ := testSigner(f)
	d := DigestBytes([]byte("fuzz"))
	pol := Policy{PublicKey: s.PublicKey()}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ReadBundle("fuzz", data)
		if err != nil {
			if !errors.Is(err, ErrUnreadable) && !errors.Is(err, ErrInvalid) {
				t.Fatalf("unclassified read error: %v", err)
			}
			return
		}
		_, _ = b.MarshalJSON()
		if _, err := Verify(b, d, pol); err == nil {
			t.Fatal("a fuzzed bundle verified against a fresh key")
		}
	})
}
