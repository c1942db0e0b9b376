package signing

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

const (
	ghIdentity = "https://github.com/acme/plc-firmware/.github/workflows/release.yml@refs/tags/v1.2.0"
	ghIssuer   = "https://token.actions.githubusercontent.com"
)

// swappedTlog is an entity whose log entries were replaced by another
// signing's: a tampered log entry.
type swappedTlog struct {
	*ca.TestEntity
	entries []*tlog.Entry
}

func (s swappedTlog) TlogEntries() ([]*tlog.Entry, error) { return s.entries, nil }

// TestKeylessVirtualSigstore runs keyless verification offline against
// sigstore-go's in-memory Fulcio, Rekor, CT log and TSA.
func TestKeylessVirtualSigstore(t *testing.T) {
	t.Parallel()
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	artifact := []byte("plc-firmware-1.2.0.bin contents")
	good, err := vs.Sign(ghIdentity, ghIssuer, artifact)
	if err != nil {
		t.Fatal(err)
	}
	// The leaf certificate is valid for 10 minutes from now; an entry
	// integrated an hour later is outside it.
	expired, err := vs.SignAtTime(ghIdentity, ghIssuer, artifact, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	other, err := vs.Sign(ghIdentity, ghIssuer, []byte("another artifact"))
	if err != nil {
		t.Fatal(err)
	}
	otherEntries, _ := other.TlogEntries()
	tampered := swappedTlog{TestEntity: good, entries: otherEntries}

	// VirtualSigstore's Fulcio embeds no SCTs in its certificates.
	id := func(san, iss string) Policy {
		return Policy{TrustedRoot: vs, Identity: &Identity{SAN: san, Issuer: iss}, InsecureIgnoreSCT: true}
	}
	tests := []struct {
		name    string
		entity  verify.SignedEntity
		policy  Policy
		wantErr string // "" = verifies
	}{
		{"good identity", good, id(ghIdentity, ghIssuer), ""},
		{"identity by regexp", good, Policy{TrustedRoot: vs, Identity: &Identity{SANRegexp: `^https://github\.com/acme/`, Issuer: ghIssuer}, InsecureIgnoreSCT: true}, ""},
		{"SCT required by default", good, Policy{TrustedRoot: vs, Identity: &Identity{SAN: ghIdentity, Issuer: ghIssuer}}, "SCT"},
		{"wrong identity", good, id("https://github.com/evil/fork/.github/workflows/release.yml@refs/tags/v1.2.0", ghIssuer), "expected SAN value"},
		{"wrong issuer", good, id(ghIdentity, "https://accounts.google.com"), "expected issuer value"},
		{"expired certificate", expired, id(ghIdentity, ghIssuer), "integrated time outside certificate validity"},
		{"tampered log entry", tampered, id(ghIdentity, ghIssuer), "transparency log signature does not match"},
		{"key instead of identity", good, Policy{TrustedRoot: vs, PublicKey: mustKey(t)}, "expected key signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := verifyEntity(tt.entity, BundleMediaType, verify.WithArtifactDigest("sha256", DigestBytes(artifact).bytes()), tt.policy)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("want pass, got %v", err)
				}
				if res.Identity != ghIdentity || res.Issuer != ghIssuer || len(res.Tlog) != 1 {
					t.Errorf("result %+v", res)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("want ErrInvalid containing %q, got %v", tt.wantErr, err)
			}
			oneLineError(t, err)
		})
	}
	// The good entity with one flipped byte of the artifact fails.
	d := DigestBytes(artifact)
	d[7] ^= 0x80
	if _, err := verifyEntity(good, BundleMediaType, verify.WithArtifactDigest("sha256", d.bytes()), id(ghIdentity, ghIssuer)); !errors.Is(err, ErrInvalid) {
		t.Errorf("flipped artifact: want ErrInvalid, got %v", err)
	}
}

func mustKey(t *testing.T) any {
	t.Helper()
	s, _ := testSigner(t)
	return s.PublicKey()
}
