package signing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// TestKeyFileHoldsOneKey checks that a key file with anything besides its
// one PEM block is refused, rather than its first key being used.
func TestKeyFileHoldsOneKey(t *testing.T) {
	t.Parallel()
	kp, err := GenerateKey(StaticPassword([]byte("One-k3y-pw")))
	if err != nil {
		t.Fatal(err)
	}
	other, err := GenerateKey(StaticPassword([]byte("One-k3y-pw")))
	if err != nil {
		t.Fatal(err)
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name    string
		pub     []byte
		wantErr string
	}{
		{"one key", kp.PublicPEM, ""},
		{"surrounding blank lines", cat([]byte("\n\n"), kp.PublicPEM, []byte("\n\n")), ""},
		{"trailing garbage", cat(kp.PublicPEM, []byte("garbage")), "data after the PEM block"},
		{"two keys", cat(kp.PublicPEM, other.PublicPEM), "more than one PEM block"},
		{"text before", cat([]byte("release key:\n"), kp.PublicPEM), "text before the PEM block"},
		{"cut", kp.PublicPEM[:len(kp.PublicPEM)/2], "not a PEM file (truncated?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePublicKey("k.pub", tt.pub)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ParsePublicKey() = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), `read public key "k.pub": `) {
				t.Errorf("ParsePublicKey() = %v, want ErrUnreadable naming the file and %q", err, tt.wantErr)
			}
		})
	}
	two := cat(kp.PrivatePEM, other.PrivatePEM)
	asked := false
	_, err = ParsePrivateKey("k.key", two, func(bool) ([]byte, error) { asked = true; return []byte("One-k3y-pw"), nil })
	if !errors.Is(err, ErrUnreadable) || asked {
		t.Errorf("two private keys: %v (password asked: %v), want ErrUnreadable before asking", err, asked)
	}
}

func TestLoadPublicKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	kp, err := GenerateKey(StaticPassword([]byte("L0ad-pub-pw")))
	if err != nil {
		t.Fatal(err)
	}
	keyPath, pubPath := filepath.Join(dir, "k.key"), filepath.Join(dir, "k.pub")
	writeTestFile(t, keyPath, kp.PrivatePEM)
	writeTestFile(t, pubPath, kp.PublicPEM)
	want, err := ParsePublicKey("k.pub", kp.PublicPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{pubPath, keyPath} {
		got, err := LoadPublicKey(ctx, path, StaticPassword([]byte("L0ad-pub-pw")))
		if err != nil {
			t.Fatalf("LoadPublicKey(%s) = %v", path, err)
		}
		if g, w := mustPEM(t, got), mustPEM(t, want); g != w {
			t.Errorf("LoadPublicKey(%s) = %s, want %s", path, g, w)
		}
	}
	// For verification (no password), a private key is the wrong kind.
	if _, err := LoadPublicKey(ctx, keyPath, nil); !errors.Is(err, ErrKeyType) {
		t.Errorf("LoadPublicKey(private key, nil) = %v, want ErrKeyType", err)
	}
	if _, err := LoadPublicKey(ctx, "/dev/zero", nil); !errors.Is(err, readlimit.ErrTooLarge) || !errors.Is(err, ErrUnreadable) {
		t.Errorf("LoadPublicKey(/dev/zero) = %v, want ErrTooLarge and ErrUnreadable", err)
	}
}

func mustPEM(t *testing.T, pub any) string {
	t.Helper()
	b, err := MarshalPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeTestFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestReadersAreBounded reads every kind of input from /dev/zero, which
// has no end: each read must stop at its limit with an error naming it.
func TestReadersAreBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		read func() error
		want string
	}{
		{"key", func() error { _, err := LoadSigner(ctx, "/dev/zero", StaticPassword(nil)); return err }, "64 KiB limit for a key"},
		{"public key", func() error { _, err := ReadPublicKeyFile("/dev/zero"); return err }, "64 KiB limit for a public key"},
		{"bundle", func() error { _, err := ReadBundleFile("/dev/zero"); return err }, "64 MiB limit for a bundle"},
		{"trusted root", func() error { _, err := LoadTrustedRoot("/dev/zero"); return err }, "16 MiB limit for a trusted root"},
		{"predicate", func() error { _, err := ReadPredicateFile(ctx, "/dev/zero"); return err }, "47.2 MiB limit for a predicate"},
		{"oidc token", func() error { _, err := ReadIDToken(ctx, "/dev/zero"); return err }, "64 KiB limit for an oidc token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.read()
			if !errors.Is(err, readlimit.ErrTooLarge) || !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), `"/dev/zero": larger than the `+tt.want) {
				t.Errorf("got %v, want the %s", err, tt.want)
			}
		})
	}
}

// TestArtifactsMustBeRegular checks that hashing refuses what never ends or
// never answers, before opening it.
func TestArtifactsMustBeRegular(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fw.bin")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	s, _ := testSigner(t)
	for _, path := range []string{fifo, "/dev/zero", dir} {
		if _, err := DigestFile(ctx, path); !errors.Is(err, readlimit.ErrNotRegular) || !errors.Is(err, ErrUnreadable) {
			t.Errorf("DigestFile(%s) = %v, want ErrNotRegular", path, err)
		}
		if _, _, err := s.SignFile(ctx, path, SignOptions{}); !errors.Is(err, readlimit.ErrNotRegular) {
			t.Errorf("SignFile(%s) = %v, want ErrNotRegular", path, err)
		}
		if err := CheckArtifact(path); !errors.Is(err, readlimit.ErrNotRegular) {
			t.Errorf("CheckArtifact(%s) = %v, want ErrNotRegular", path, err)
		}
	}
}

// TestHashingStopsOnCancel hashes a sparse terabyte and cancels: the
// digest and the verification stop within a second, with ctx's error.
func TestHashingStopsOnCancel(t *testing.T) {
	t.Parallel()
	huge := filepath.Join(t.TempDir(), "huge.bin")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 40); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s, _ := testSigner(t)
	b, err := s.SignDigest(context.Background(), DigestBytes([]byte("x")), SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for name, hash := range map[string]func(context.Context) error{
		"DigestFile": func(ctx context.Context) error { _, err := DigestFile(ctx, huge); return err },
		"VerifyFileContext": func(ctx context.Context) error {
			_, _, err := VerifyFileContext(ctx, b, huge, Policy{PublicKey: s.PublicKey()})
			return err
		},
		"VerifyArtifact": func(ctx context.Context) error {
			_, err := VerifyArtifact(ctx, b, "b.json", huge, Policy{PublicKey: s.PublicKey()})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := hash(ctx)
			if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrInvalid) {
				t.Errorf("%s() = %v, want context.DeadlineExceeded and not ErrInvalid", name, err)
			}
			if d := time.Since(start); d > 1200*time.Millisecond {
				t.Errorf("%s() took %v", name, d)
			}
		})
	}
}

// TestPredicateAsVerifyReadsIt checks that attest refuses what verify
// would refuse: invalid UTF-8, JSON that is not an object, and statements
// whose bundle would pass the bundle limit.
func TestPredicateAsVerifyReadsIt(t *testing.T) {
	t.Parallel()
	subjects := []Subject{SubjectFor("fw.bin", DigestBytes([]byte("fw")))}
	tests := []struct {
		name      string
		predicate []byte
		wantErr   string
	}{
		{"object", []byte(`{"a": [1, "ü"]}`), ""},
		{"invalid utf-8", []byte("{\"a\": \"\xff\"}"), "not valid UTF-8"},
		{"array", []byte(`[1]`), "not a JSON object"},
		{"not json", []byte(`{"a":`), "not JSON"},
		{"empty", nil, "not JSON"},
		{"number protobuf cannot hold", []byte(`{"a": 1e999}`), "in-toto verifiers cannot read"},
		{"escapes past the bundle limit", []byte(`{"a":"` + strings.Repeat("<", 20<<20) + `"}`), "larger than the 64 MiB limit for a bundle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Statement(subjects, PredicateTypes["custom"], tt.predicate)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Statement() = %v", err)
				}
				if err := CheckPredicate("p.json", tt.predicate); err != nil {
					t.Fatalf("CheckPredicate() = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Statement() = %v, want %q", err, tt.wantErr)
			}
		})
	}
	if err := CheckPredicate("p.json", []byte("{\"a\": \"\xff\"}")); err == nil || err.Error() != `read predicate "p.json": not valid UTF-8` {
		t.Errorf("CheckPredicate() = %v", err)
	}
}

// TestAttestedBundleVerifies attests the largest predicate the limit
// allows and reads the bundle back as verify does: what attest writes,
// verify accepts.
func TestAttestedBundleVerifies(t *testing.T) {
	t.Parallel()
	s, _ := testSigner(t)
	overhead := len(`{"a":""}`)
	predicate := []byte(`{"a":"` + strings.Repeat("x", MaxPredicateSize-overhead-1024) + `"}`)
	d := DigestBytes([]byte("fw"))
	b, err := s.Attest(context.Background(), []Subject{SubjectFor("fw.bin", d)}, PredicateTypes["custom"], predicate, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := b.Encode()
	if err != nil {
		t.Fatalf("Encode() = %v", err)
	}
	back, err := ReadBundle("b.json", data)
	if err != nil {
		t.Fatalf("ReadBundle() of what Attest wrote = %v", err)
	}
	if _, err := Verify(back, d, Policy{PublicKey: s.PublicKey()}); err != nil {
		t.Fatalf("Verify() = %v", err)
	}
}

func TestReadIDToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	writeTestFile(t, file, []byte("  eyJ.tok.en\n"))
	emptyFile := filepath.Join(dir, "empty")
	writeTestFile(t, emptyFile, nil)
	if tok, err := ReadIDToken(ctx, file); err != nil || tok != "eyJ.tok.en" {
		t.Errorf("ReadIDToken(file) = %q, %v", tok, err)
	}
	if tok, err := ReadIDToken(ctx, "eyJ.literal.token"); err != nil || tok != "eyJ.literal.token" {
		t.Errorf("ReadIDToken(token) = %q, %v", tok, err)
	}
	if _, err := ReadIDToken(ctx, emptyFile); !errors.Is(err, ErrUnreadable) {
		t.Errorf("ReadIDToken(empty file) = %v, want ErrUnreadable", err)
	}
}

// TestVerificationRendering pins the text and JSON that 'sdlkit verify'
// prints, from a real key-signed bundle.
func TestVerificationRendering(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := testSigner(t)
	art := filepath.Join(t.TempDir(), "fw.bin")
	writeTestFile(t, art, []byte("firmware\n"))
	b, d, err := s.SignFile(ctx, art, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := VerifyArtifact(ctx, b, "fw.bin.sigstore.json", art, Policy{PublicKey: s.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	var text, js bytes.Buffer
	if err := v.WriteText(&text, "> "); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("> verified "+art+"\n>   signed with:     the given public key\n", text.String()); diff != "" {
		t.Errorf("WriteText() (-want +got):\n%s", diff)
	}
	if err := v.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"artifact": art, "digest": d.String(), "bundle": "fw.bin.sigstore.json", "verified": true,
		"bundleMediaType": BundleMediaType, "content": "messageSignature", "signedWith": "key"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WriteJSON() (-want +got):\n%s", diff)
	}

	// A failed check: the verdict, without facts or digest, and ErrInvalid.
	other := filepath.Join(filepath.Dir(art), "other.bin")
	writeTestFile(t, other, []byte("other\n"))
	v, err = VerifyArtifact(ctx, b, "fw.bin.sigstore.json", other, Policy{PublicKey: s.PublicKey()})
	if !errors.Is(err, ErrInvalid) || v == nil || v.Verified || v.Digest != "" || !strings.HasPrefix(v.Error, "verify "+other+" with fw.bin.sigstore.json: verification failed") {
		t.Fatalf("VerifyArtifact(other) = %+v, %v", v, err)
	}
	text.Reset()
	if err := v.WriteText(&text, "> "); err != nil || text.Len() != 0 {
		t.Errorf("WriteText() of a failure = %q, %v; want nothing", text.String(), err)
	}
	// By digest, when no file has that name.
	v, err = VerifyArtifact(ctx, b, "fw.bin.sigstore.json", d.String(), Policy{PublicKey: s.PublicKey()})
	if err != nil || v.Digest != d.String() {
		t.Errorf("VerifyArtifact(digest) = %+v, %v", v, err)
	}
}
