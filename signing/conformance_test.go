package signing

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// conformanceDir holds the Sigstore client conformance suite's verification
// cases: cases.json, and the suite's test/assets packed in
// test-assets.tar.gz (see its README.md).
const conformanceDir = sigstoreData + "/conformance"

// conformanceCase is one entry of the Sigstore client conformance suite's
// verification cases (sigstore/sigstore-conformance, test/assets), as
// described by testdata/sigstore/conformance/cases.json.
type conformanceCase struct {
	Case        string  `json:"case"`
	Bundle      string  `json:"bundle"`
	Artifact    string  `json:"artifact"`
	Digest      string  `json:"digest"`
	TrustedRoot string  `json:"trusted_root"`
	Identity    *string `json:"identity"`
	Issuer      *string `json:"issuer"`
	Key         *string `json:"key"`
	Expect      string  `json:"expect"`
	Why         string  `json:"why"`
}

// conformanceSuite is the suite's cases with their assets unpacked.
type conformanceSuite struct {
	cases  []conformanceCase
	assets string // where test-assets.tar.gz was unpacked
}

// loadConformance reads cases.json and unpacks the case assets into a
// temporary folder. Every case folder of the archive must have exactly one
// entry in cases.json, so that no case is left out unnoticed.
func loadConformance(t *testing.T) conformanceSuite {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(conformanceDir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []conformanceCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	s := conformanceSuite{cases: cases, assets: t.TempDir()}
	archived := make(map[string]bool)
	for _, f := range unpackTarGz(t, filepath.Join(conformanceDir, "test-assets.tar.gz"), s.assets) {
		if ok, _ := path.Match("test/assets/bundle-verify/*/bundle.sigstore.json", f.name); ok {
			archived[path.Base(path.Dir(f.name))] = true
		}
	}
	listed := make(map[string]bool)
	for _, c := range cases {
		if listed[c.Case] || !archived[c.Case] {
			t.Errorf("cases.json: case %q is listed twice or has no folder in the archive", c.Case)
		}
		listed[c.Case] = true
	}
	for name := range archived {
		if !listed[name] {
			t.Errorf("case folder %q of the archive is not in cases.json", name)
		}
	}
	if len(cases) == 0 || t.Failed() {
		t.FailNow()
	}
	return s
}

// path resolves a path of cases.json, which is relative to the
// conformance folder: the suite's own files are in the unpacked archive;
// a path out of the folder (the default production trusted root) is loose
// in testdata.
func (s conformanceSuite) path(rel string) string {
	if filepath.IsLocal(rel) {
		return filepath.Join(s.assets, rel)
	}
	return filepath.Join(conformanceDir, rel)
}

// run verifies a case's bundle over artifact (or its digest) with the
// policy the suite gives a client: --key when the case has a key, else
// identity and issuer.
// Errors reading the inputs count as a failed verification, as they do for
// the suite (non-zero exit).
func (c conformanceCase) run(s conformanceSuite, artifact []byte, byDigest bool) (*Result, error) {
	b, err := ReadBundleFile(s.path(c.Bundle))
	if err != nil {
		return nil, err
	}
	tr, err := LoadTrustedRoot(s.path(c.TrustedRoot))
	if err != nil {
		return nil, err
	}
	p := Policy{TrustedRoot: tr}
	if c.Key != nil {
		if p.PublicKey, err = ReadPublicKeyFile(s.path(*c.Key)); err != nil {
			return nil, err
		}
	} else {
		p.Identity = &Identity{SAN: *c.Identity, Issuer: *c.Issuer}
	}
	if byDigest {
		return Verify(b, DigestBytes(artifact), p)
	}
	return VerifyReader(b, bytes.NewReader(artifact), p)
}

func TestConformanceCases(t *testing.T) {
	t.Parallel()
	s := loadConformance(t)
	for _, c := range s.cases {
		t.Run(c.Case, func(t *testing.T) {
			t.Parallel()
			artifact, err := os.ReadFile(s.path(c.Artifact))
			if err != nil {
				t.Fatal(err)
			}
			if got := DigestBytes(artifact).String(); got != c.Digest {
				t.Fatalf("artifact digest %s, cases.json says %s", got, c.Digest)
			}
			for _, byDigest := range []bool{false, true} {
				_, err := c.run(s, artifact, byDigest)
				if err != nil && byDigest {
					t.Logf("%v", err)
				}
				switch {
				case c.Expect == "pass" && err != nil:
					t.Errorf("digest=%v: want pass, got %v", byDigest, err)
				case c.Expect == "fail" && err == nil:
					t.Errorf("digest=%v: want fail (%s), got pass", byDigest, c.Why)
				case err != nil && !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrUnreadable):
					t.Errorf("digest=%v: error is neither invalid nor unreadable: %v", byDigest, err)
				}
			}
			if c.Expect != "pass" {
				return
			}
			// One flipped byte of the artifact must make it fail.
			flipped := bytes.Clone(artifact)
			flipped[len(flipped)/2] ^= 0x01
			for _, byDigest := range []bool{false, true} {
				if _, err := c.run(s, flipped, byDigest); !errors.Is(err, ErrInvalid) {
					t.Errorf("digest=%v: flipped artifact: want ErrInvalid, got %v", byDigest, err)
				}
			}
		})
	}
}

// oneLineErrors checks that an error message is one line without secrets.
func oneLineError(t *testing.T, err error) {
	t.Helper()
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("multi-line error: %q", err)
	}
}
