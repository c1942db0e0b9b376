package generate

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/sdlkit/sdlkit/sbom"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"
)

func TestProductDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		tag   string
		opts  Options
		want  sbom.Component
	}{
		{"go.mod and git tag", map[string]string{"go.mod": "module example.com/gw\n\ngo 1.22\n"}, "v1.4.0", Options{},
			sbom.Component{BOMRef: "pkg:golang/example.com/gw@v1.4.0", Name: "example.com/gw", Version: "v1.4.0", PURL: "pkg:golang/example.com/gw@v1.4.0", Ecosystem: "Go"}},
		{"package.json", map[string]string{"package.json": `{"name": "@acme/hmi", "version": "2.0.1"}`}, "", Options{},
			sbom.Component{BOMRef: "pkg:npm/%40acme/hmi@2.0.1", Name: "@acme/hmi", Version: "2.0.1", PURL: "pkg:npm/%40acme/hmi@2.0.1", Ecosystem: "npm"}},
		{"pyproject", map[string]string{"pyproject.toml": "[project]\nname = \"scada-agent\"\nversion = \"0.9\"\n"}, "", Options{Supplier: "ACME"},
			sbom.Component{BOMRef: "pkg:pypi/scada-agent@0.9", Name: "scada-agent", Version: "0.9", PURL: "pkg:pypi/scada-agent@0.9", Ecosystem: "PyPI", Supplier: "ACME"}},
		{"options win", map[string]string{"go.mod": "module example.com/gw\n"}, "v1.4.0", Options{Name: "PLC Gateway", Version: "7"},
			sbom.Component{BOMRef: "PLC Gateway@7", Name: "PLC Gateway", Version: "7"}},
		{"directory name", nil, "", Options{},
			sbom.Component{BOMRef: "product", Name: "product"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "product")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, content := range tt.files {
				write(t, dir, name, content)
			}
			if tt.tag != "" {
				gitTagged(t, dir, tt.tag)
			}
			b, err := SBOM(context.Background(), dir, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Type = sbom.TypeApplication
			if diff := cmp.Diff(tt.want, b.Product); diff != "" {
				t.Errorf("product (-want +got):\n%s", diff)
			}
		})
	}
}

// gitTagged makes dir a git repository with one commit tagged tag.
func gitTagged(t *testing.T, dir, tag string) {
	t.Helper()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddGlob("."); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "test", Email: "test@example.com", When: time.Unix(1700000000, 0)}
	hash, err := wt.Commit("release", &git.CommitOptions{Author: sig})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.CreateTag(tag, hash, &git.CreateTagOptions{Tagger: sig, Message: tag}); err != nil {
		t.Fatal(err)
	}
}

func TestGenerateArtifacts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "dist/app", "hello\n")
	b, err := SBOM(context.Background(), dir, Options{Artifacts: []string{filepath.Join(dir, "dist", "app")}})
	if err != nil {
		t.Fatal(err)
	}
	want := []sbom.Artifact{{Name: filepath.ToSlash(filepath.Join(dir, "dist", "app")), Size: 6, Hashes: []sbom.Hash{
		{Algorithm: "SHA-256", Value: "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"},
		{Algorithm: "SHA-512", Value: "e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629"},
	}}}
	if diff := cmp.Diff(want, b.Artifacts); diff != "" {
		t.Errorf("artifacts (-want +got):\n%s", diff)
	}
	if _, err := SBOM(context.Background(), dir, Options{Artifacts: []string{dir}}); err == nil {
		t.Error("a directory as artifact: no error")
	}
}

func TestGenerateUnreadableDir(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("running as root, which reads a directory of mode 0 too: this test needs an unprivileged user")
	}
	dir := t.TempDir()
	write(t, dir, "locked/Cargo.lock", "")
	if err := os.Chmod(filepath.Join(dir, "locked"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "locked"), 0o755) })
	_, err := SBOM(context.Background(), dir, Options{})
	if err == nil {
		t.Fatal("no error")
	}
}

// TestManifestProductSkipsPipes checks that a named pipe called go.mod is
// never opened (the read would wait for a writer) and the next manifest
// names the product.
func TestManifestProductSkipsPipes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "go.mod"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name": "plc-ui", "version": "1.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan [3]string, 1)
	go func() { eco, name, v := ManifestProduct(dir); done <- [3]string{eco, name, v} }()
	select {
	case got := <-done:
		if got != [3]string{"npm", "plc-ui", "1.0.0"} {
			t.Errorf("ManifestProduct = %v", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ManifestProduct waits on a named pipe called go.mod")
	}
}
