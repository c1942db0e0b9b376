package signing

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadBundle feeds arbitrary bytes to the bundle reader and, when a
// bundle is accepted, to the verifier. Neither may panic, and every error
// must be classified as unreadable or invalid.
func FuzzReadBundle(f *testing.F) {
	for _, glob := range []string{
		filepath.Join(fixtures, "conformance", "test", "assets", "bundle-verify", "*", "bundle.sigstore.json"),
		filepath.Join(fixtures, "sigstore-js", "tests", "bundles", "*.sigstore"),
	} {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
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
