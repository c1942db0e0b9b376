//go:build ignore

// regen.go rebuilds cosign.tar.gz, the Go module cache that
// TestGoModuleGraphCosign reads, from cosign's go.mod and go.sum in
// sbom/testdata/lockfiles/sigstore+cosign. In this folder run
//
//	GOTOOLCHAIN=auto go run regen.go
//
// It runs `go mod graph` in a scratch copy of cosign's module with an empty
// module cache: the go command downloads the go.mod of every module in the
// graph from the Go module proxy and checks each against go.sum. The archive
// holds the graph it printed (go-mod-graph.txt) and, at its module cache
// path under modcache/, the go.mod of each module cosign's go.mod requires,
// unchanged. Nothing else is read or written outside a temporary folder.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

const (
	src     = "../../../testdata/lockfiles/sigstore+cosign"
	archive = "cosign.tar.gz"
)

func main() {
	log.SetFlags(0)
	tmp, err := os.MkdirTemp("", "gomodcache-")
	if err != nil {
		log.Fatal(err)
	}
	cache := filepath.Join(tmp, "cache")
	defer os.RemoveAll(tmp)
	defer goCmd(tmp, cache, "clean", "-modcache") // the cache is read-only
	work := filepath.Join(tmp, "work")
	if err := os.CopyFS(work, os.DirFS(src)); err != nil {
		log.Fatal(err)
	}
	graph := goCmd(work, cache, "mod", "graph")
	data, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		log.Fatal(err)
	}
	mf, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		log.Fatal(err)
	}
	files := map[string][]byte{"go-mod-graph.txt": graph}
	for _, m := range required(mf) {
		p, err := module.EscapePath(m.Path)
		if err != nil {
			log.Fatal(err)
		}
		v, err := module.EscapeVersion(m.Version)
		if err != nil {
			log.Fatal(err)
		}
		name := path.Join("cache", "download", p, "@v", v+".mod")
		if files["modcache/"+name], err = os.ReadFile(filepath.Join(cache, filepath.FromSlash(name))); err != nil {
			log.Fatal(err)
		}
	}
	if err := os.WriteFile(archive, pack(files), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d go.mod files and go-mod-graph.txt\n", archive, len(files)-1)
}

// required returns the modules mf requires, after its replace directives,
// leaving out those replaced by a local folder.
func required(mf *modfile.File) []module.Version {
	var out []module.Version
	for _, r := range mf.Require {
		m := r.Mod
		for _, rep := range mf.Replace {
			if rep.Old.Path == m.Path && (rep.Old.Version == "" || rep.Old.Version == m.Version) {
				m = rep.New
			}
		}
		if m.Version != "" {
			out = append(out, m)
		}
	}
	return out
}

// goCmd runs the go command in dir with the module cache cache and returns
// its standard output.
func goCmd(dir, cache string, args ...string) []byte {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOMODCACHE="+cache, "GOFLAGS=-mod=mod", "GOTOOLCHAIN=auto")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("go %v: %v", args, err)
	}
	return out
}

// pack returns files as a reproducible gzip-compressed tar archive: sorted
// names, no times, no owners.
func pack(files map[string][]byte) []byte {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	tw := tar.NewWriter(zw)
	for _, n := range names {
		h := &tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(h); err != nil {
			log.Fatal(err)
		}
		if _, err := tw.Write(files[n]); err != nil {
			log.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	return buf.Bytes()
}
