package signing

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtures is the shared third-party test data (see ../../shared/fixtures/README.md).
var fixtures = filepath.Join("..", "..", "shared", "fixtures", "sigstore")

// conformanceCase is one entry of the Sigstore client conformance suite's
// verification cases (sigstore/sigstore-conformance, test/assets), as
// described by fixtures/sigstore/conformance/cases.json.
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

func loadConformanceCases(t *testing.T) []conformanceCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, "conformance", "cases.json"))
	if err != nil {
		t.Skipf("shared fixtures not available: %v", err)
	}
	var cases []conformanceCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no conformance cases")
	}
	return cases
}

// casePolicy builds the policy and artifact for a case, the way the suite
// calls a client: --key when the case has a key, else identity and issuer.
// Errors reading the inputs count as a failed verification, as they do for
// the suite (non-zero exit).
func (c conformanceCase) run(artifact []byte, byDigest bool) (*Result, error) {
	dir := filepath.Join(fixtures, "conformance")
	b, err := ReadBundleFile(filepath.Join(dir, c.Bundle))
	if err != nil {
		return nil, err
	}
	tr, err := LoadTrustedRoot(filepath.Join(dir, c.TrustedRoot))
	if err != nil {
		return nil, err
	}
	p := Policy{TrustedRoot: tr}
	if c.Key != nil {
		if p.PublicKey, err = ReadPublicKeyFile(filepath.Join(dir, *c.Key)); err != nil {
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
	for _, c := range loadConformanceCases(t) {
		t.Run(c.Case, func(t *testing.T) {
			t.Parallel()
			artifact, err := os.ReadFile(filepath.Join(fixtures, "conformance", c.Artifact))
			if err != nil {
				t.Fatal(err)
			}
			if got := DigestBytes(artifact).String(); got != c.Digest {
				t.Fatalf("artifact digest %s, cases.json says %s", got, c.Digest)
			}
			for _, byDigest := range []bool{false, true} {
				_, err := c.run(artifact, byDigest)
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
				if _, err := c.run(flipped, byDigest); !errors.Is(err, ErrInvalid) {
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
