package signing

import (
	"archive/tar"
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// sigstoreData is the real third-party Sigstore data these tests verify,
// copied into the package with its sources and licenses (see
// testdata/sigstore/README.md). A missing file fails the test.
const sigstoreData = "testdata/sigstore"

// archivedFile is one regular file of a .tar.gz test archive; name is the
// slash-separated path in the archive.
type archivedFile struct {
	name string
	data []byte
}

// readTarGz returns the regular files of a gzip-compressed tar archive in
// archive order. An entry that is neither a folder nor a regular file with
// a local path fails the test.
func readTarGz(tb testing.TB, archive string) []archivedFile {
	tb.Helper()
	f, err := os.Open(archive)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatalf("read %s: %v", archive, err)
	}
	var files []archivedFile
	for tr := tar.NewReader(zr); ; {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("read %s: %v", archive, err)
		}
		if h.Typeflag == tar.TypeDir {
			continue
		}
		if h.Typeflag != tar.TypeReg || !filepath.IsLocal(h.Name) {
			tb.Fatalf("read %s: %q is not a regular file with a local path", archive, h.Name)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			tb.Fatalf("read %s: %s: %v", archive, h.Name, err)
		}
		files = append(files, archivedFile{name: h.Name, data: data})
	}
	if len(files) == 0 {
		tb.Fatalf("read %s: no files", archive)
	}
	return files
}

// unpackTarGz writes the files of a .tar.gz archive under dir and returns
// them.
func unpackTarGz(tb testing.TB, archive, dir string) []archivedFile {
	tb.Helper()
	files := readTarGz(tb, archive)
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return files
}

// indexedBundle is one entry of testdata/sigstore/bundles-index.json.
type indexedBundle struct {
	Path          string              `json:"path"`
	Material      string              `json:"material"`
	SAN           string              `json:"san"`
	OIDCIssuer    string              `json:"oidc_issuer"`
	LogInstance   string              `json:"log_instance"`
	Subject       [][]json.RawMessage `json:"subject"`
	MessageDigest string              `json:"messageDigest"`
	PredicateType string              `json:"predicateType"`
}

// readmeFacts are what testdata/sigstore/README.md says about a bundle that
// bundles-index.json does not: the key for key-signed bundles, the trusted
// root where the bundle has no log entry, the SAN where the index shows an
// otherName as raw DER, and the expected result where it is a failure.
var readmeFacts = map[string]struct {
	key, root, san string
	fail           bool
}{
	"sigstore-go/examples/bundle-publish.json": {key: "sigstore-go/examples/publish_key.pub"},
	"sigstore-go/pkg/testing/data/bundles/public-key-validity.sigstore.json": {
		key:  "sigstore-go/pkg/testing/data/public-keys/public-key-validity.pem",
		root: "sigstore-go/pkg/testing/data/trusted-roots/public-key-validity.json",
	},
	"sigstore-go/pkg/testing/data/bundles/othername.sigstore.json":  {san: "foo!oidc.local"},
	"sigstore-go/pkg/testing/data/bundles/dsse-2sigs.sigstore.json": {fail: true}, // ErrDSSEInvalidSignatureCount
}

func loadIndex(t *testing.T) []indexedBundle {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(sigstoreData, "bundles-index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx []indexedBundle
	if err := json.Unmarshal(data, &idx); err != nil {
		t.Fatal(err)
	}
	if len(idx) == 0 {
		t.Fatal("bundles-index.json lists no bundles")
	}
	return idx
}

// artifactDigest returns the digest the bundle is about: the message digest
// of a message signature, or the first in-toto subject's digest.
func (ib indexedBundle) artifactDigest(t *testing.T) (string, []byte) {
	t.Helper()
	if ib.MessageDigest != "" {
		alg, hexDigest, _ := strings.Cut(ib.MessageDigest, ":")
		b, err := hex.DecodeString(hexDigest)
		if err != nil || alg != "SHA2_256" {
			t.Fatalf("message digest %q", ib.MessageDigest)
		}
		return "sha256", b
	}
	if len(ib.Subject) == 0 || len(ib.Subject[0]) != 2 {
		t.Fatalf("no subject in index entry")
	}
	var digests map[string]string
	if err := json.Unmarshal(ib.Subject[0][1], &digests); err != nil {
		t.Fatal(err)
	}
	for alg, h := range digests {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		return alg, b
	}
	t.Fatal("empty subject digest")
	return "", nil
}

func (ib indexedBundle) policy(t *testing.T) Policy {
	t.Helper()
	facts := readmeFacts[ib.Path]
	rootPath := facts.root
	switch {
	case rootPath != "":
	case strings.HasPrefix(ib.LogInstance, "custom:"):
		rootPath = strings.TrimPrefix(ib.LogInstance, "custom:")
	case ib.LogInstance == "production" || ib.LogInstance == "staging":
		rootPath = filepath.Join("trusted-roots", ib.LogInstance, "trusted_root.json")
	default:
		t.Fatalf("no trusted root known for log instance %q", ib.LogInstance)
	}
	tr, err := LoadTrustedRoot(filepath.Join(sigstoreData, rootPath))
	if err != nil {
		t.Fatal(err)
	}
	p := Policy{TrustedRoot: tr, PredicateType: ib.PredicateType}
	if strings.HasPrefix(ib.Material, "publicKey") {
		if p.PublicKey, err = ReadPublicKeyFile(filepath.Join(sigstoreData, facts.key)); err != nil {
			t.Fatal(err)
		}
		return p
	}
	san := ib.SAN
	if facts.san != "" {
		san = facts.san
	}
	p.Identity = &Identity{SAN: san, Issuer: ib.OIDCIssuer}
	return p
}

// TestIndexedBundles verifies every real bundle of bundles-index.json
// offline with the trusted root, identity or key and artifact digest that
// the index and README give, and checks that a digest with one flipped
// byte, a wrong identity and a wrong predicate type each make it fail.
func TestIndexedBundles(t *testing.T) {
	t.Parallel()
	for _, ib := range loadIndex(t) {
		t.Run(ib.Path, func(t *testing.T) {
			t.Parallel()
			b, err := ReadBundleFile(filepath.Join(sigstoreData, ib.Path))
			if err != nil {
				t.Fatal(err)
			}
			p := ib.policy(t)
			alg, digest := ib.artifactDigest(t)
			res, err := VerifyDigest(b, alg, digest, p)
			if readmeFacts[ib.Path].fail {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("want ErrInvalid, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("want pass, got %v", err)
			}
			if p.Identity != nil && res.Identity != p.Identity.SAN {
				t.Errorf("result identity %q, want %q", res.Identity, p.Identity.SAN)
			}
			flipped := append([]byte(nil), digest...)
			flipped[0] ^= 0x01
			if _, err := VerifyDigest(b, alg, flipped, p); !errors.Is(err, ErrInvalid) {
				t.Errorf("flipped digest: want ErrInvalid, got %v", err)
			}
			if p.Identity != nil {
				wrong := p
				wrong.Identity = &Identity{SAN: p.Identity.SAN + "x", Issuer: p.Identity.Issuer}
				if _, err := VerifyDigest(b, alg, digest, wrong); !errors.Is(err, ErrInvalid) {
					t.Errorf("wrong identity: want ErrInvalid, got %v", err)
				}
			}
			// A GitHub Actions certificate names the repository whose
			// workflow run signed: the right one verifies, a fork does not.
			if repo, ok := githubRepository(ib.SAN); ok && p.Identity != nil {
				for _, tt := range []struct {
					repo string
					ok   bool
				}{{repo, true}, {"evil/" + path.Base(repo), false}} {
					id := *p.Identity
					id.GitHubWorkflowRepository = tt.repo
					q := p
					q.Identity = &id
					_, err := VerifyDigest(b, alg, digest, q)
					if tt.ok != (err == nil) || (!tt.ok && !errors.Is(err, ErrInvalid)) {
						t.Errorf("workflow repository %q: %v", tt.repo, err)
					}
				}
			}
			if p.PredicateType != "" {
				wrong := p
				wrong.PredicateType = "https://example.com/other"
				if _, err := VerifyDigest(b, alg, digest, wrong); !errors.Is(err, ErrInvalid) {
					t.Errorf("wrong predicate type: want ErrInvalid, got %v", err)
				}
			}
		})
	}
}

// githubRepository is owner/name of a GitHub Actions workflow identity.
func githubRepository(san string) (string, bool) {
	rest, ok := strings.CutPrefix(san, "https://github.com/")
	if !ok {
		return "", false
	}
	repo, _, ok := strings.Cut(rest, "/.github/workflows/")
	return repo, ok
}
