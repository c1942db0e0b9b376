package release

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/signing"
)

func TestNewPaths(t *testing.T) {
	t.Parallel()
	got := NewPaths("dist", "", "")
	want := Paths{Dir: "dist", Manifest: filepath.Join("dist", DefaultName), Bundle: filepath.Join("dist", DefaultName) + BundleSuffix}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NewPaths() (-want +got):\n%s", diff)
	}
	got = NewPaths("dist", "out/m.json", "")
	if got.Bundle != "out/m.json"+BundleSuffix {
		t.Errorf("bundle = %q, want it beside the manifest", got.Bundle)
	}
	if ex := got.Exclude(); len(ex) != 4 || ex[0] != "out/m.json" || ex[2] != want.Manifest || ex[3] != want.Bundle {
		t.Errorf("Exclude() = %v", ex)
	}
}

// TestCheckOutputs checks that no manifest or bundle path may replace a
// file of the release, while the default paths and paths outside the
// release may be written.
func TestCheckOutputs(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{"bin/fw.bin": "fw", "README.txt": "r", DefaultName: "old manifest"})
	outside := t.TempDir()
	link := filepath.Join(outside, "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name             string
		manifest, bundle string
		wantErr          string
	}{
		{"defaults, old manifest present", "", "", ""},
		{"outside the release", filepath.Join(outside, "m.json"), "", ""},
		{"new file inside the release", filepath.Join(dir, "m.json"), "", ""},
		{"manifest over a release file", filepath.Join(dir, "bin", "fw.bin"), "", "it would replace a regular file of the release"},
		{"bundle over a release file", "", filepath.Join(dir, "README.txt"), "it would replace a regular file of the release"},
		{"through a link to the release", filepath.Join(link, "README.txt"), filepath.Join(outside, "b.json"), "it would replace a regular file"},
		{"over a directory of the release", filepath.Join(dir, "bin"), "", "it would replace a directory of the release"},
		{"the release directory", dir, filepath.Join(outside, "b.json"), "it is the release directory"},
		{"manifest and bundle the same", filepath.Join(outside, "x.json"), filepath.Join(outside, "x.json"), "it is the path of the manifest too"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := NewPaths(dir, tt.manifest, tt.bundle).CheckOutputs()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckOutputs() = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("CheckOutputs() = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// TestReleaseDirMustBeADirectory checks that a named pipe given as the
// release directory is refused, not opened: opening it would wait forever.
func TestReleaseDirMustBeADirectory(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "rel")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{fifo, "/dev/zero"} {
		if err := NewPaths(dir, "", "").CheckDir(); err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Errorf("CheckDir(%s) = %v", dir, err)
		}
		if _, err := Build(context.Background(), dir, Options{}); err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Errorf("Build(%s) = %v", dir, err)
		}
		if _, err := Verify(context.Background(), dir, &Manifest{}, Options{}); err == nil {
			t.Errorf("Verify(%s) succeeded", dir)
		}
	}
}

func TestReadManifestFile(t *testing.T) {
	t.Parallel()
	_, err := ReadManifestFile(context.Background(), "/dev/zero")
	if !errors.Is(err, readlimit.ErrTooLarge) || err.Error() != `read release manifest "/dev/zero": larger than the 128 MiB limit for a release manifest` {
		t.Errorf("ReadManifestFile(/dev/zero) = %v", err)
	}
	path := filepath.Join(t.TempDir(), "m.json")
	if err := os.WriteFile(path, []byte(abcManifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadManifestFile(context.Background(), path); err != nil || string(data) != abcManifest {
		t.Errorf("ReadManifestFile() = %q, %v", data, err)
	}
}

// TestPathsVerify checks that a failed signature names the manifest and the
// bundle, and pins the text and JSON that 'sdlkit release verify' prints.
func TestPathsVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := writeTree(t, map[string]string{"a/abc.txt": "abc"})
	paths := NewPaths(dir, "", "")
	s := newSigner(t)
	signed, err := Sign(ctx, dir, s, Options{Exclude: paths.Exclude()}, signing.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = paths.Verify(ctx, signed.Bytes, signed.Bundle, signing.Policy{PublicKey: newSigner(t).PublicKey()}, Options{})
	if !errors.Is(err, signing.ErrInvalid) || !strings.HasPrefix(err.Error(), `verify release manifest "`+paths.Manifest+`" with bundle "`+paths.Bundle+`": verification failed`) {
		t.Errorf("Verify(other key) = %v, want it to name the manifest and the bundle", err)
	}
	v, err := paths.Verify(ctx, signed.Bytes, signed.Bundle, signing.Policy{PublicKey: s.PublicKey()}, Options{Exclude: paths.Exclude()})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := v.WriteText(&text, "sdlkit: "); err != nil {
		t.Fatal(err)
	}
	wantText := "sdlkit: verified " + paths.Manifest + "\n" +
		"sdlkit:   signed with:     the given public key\n" +
		"sdlkit: verified release " + dir + ": 1 files, 3 bytes match " + signed.Digest.String() + "\n"
	if diff := cmp.Diff(wantText, text.String()); diff != "" {
		t.Errorf("WriteText() (-want +got):\n%s", diff)
	}
	var js bytes.Buffer
	if err := v.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	wantJSON := `{
  "directory": "` + dir + `",
  "manifest": "` + paths.Manifest + `",
  "bundle": "` + paths.Bundle + `",
  "verified": true,
  "manifestDigest": "` + signed.Digest.String() + `",
  "signature": {
    "bundleMediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
    "content": "messageSignature",
    "signedWith": "key"
  },
  "files": {
    "matched": 1,
    "matchedBytes": 3,
    "problems": []
  }
}
`
	if diff := cmp.Diff(wantJSON, js.String()); diff != "" {
		t.Errorf("WriteJSON() (-want +got):\n%s", diff)
	}

	write(t, dir, "a/abc.txt", "abd")
	v, err = paths.Verify(ctx, signed.Bytes, signed.Bundle, signing.Policy{PublicKey: s.PublicKey()}, Options{Exclude: paths.Exclude()})
	if !errors.Is(err, ErrMismatch) || v.Verified {
		t.Fatalf("Verify(changed file) = %+v, %v", v, err)
	}
	text.Reset()
	if err := v.WriteText(&text, "> "); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "\n>   modified:    \"a/abc.txt\": sha256 ") || strings.Contains(text.String(), "verified release") {
		t.Errorf("WriteText() of a mismatch = %q", text.String())
	}
}
