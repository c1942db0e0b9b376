package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAdvisoriesFetch fetches OSV exports from a loopback server that
// serves the sample exports at BASE/ECOSYSTEM/all.zip, as the OSV bucket
// does; never the internet.
func TestAdvisoriesFetch(t *testing.T) {
	t.Parallel()
	exports := filepath.Join("..", "..", "vulnmgmt", "testdata", "advisories")
	var served []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served = append(served, r.URL.Path)
		switch r.URL.Path {
		case "/osv/Go/all.zip", "/osv/npm/all.zip", "/osv/crates.io/all.zip":
			http.ServeFile(w, r, filepath.Join(exports, strings.Split(r.URL.Path, "/")[2]+"-all.zip"))
		case "/osv/Hex/all.zip":
			w.Write([]byte("<html>not found, but 200</html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	base := srv.URL + "/osv"
	db := filepath.Join(t.TempDir(), "db")

	code, stdout, stderr := runIn(t, t.TempDir(), []string{"advisories", "fetch", "--db", db, "--base-url", base, "--ecosystem", "Go", "--ecosystem", "npm"}, nil)
	if code != 0 || stdout != "" {
		t.Fatalf("fetch: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"sdlkit: imported " + base + "/Go/all.zip: 200 read, 198 added, 2 replaced, 0 unchanged, 0 skipped", "sdlkit: imported " + base + "/npm/all.zip: 53 read, 53 added, 0 replaced, 0 unchanged, 0 skipped", "251 records"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	code, stdout, _ = runIn(t, t.TempDir(), []string{"advisories", "status", "--db", db, "--format", "json"}, nil)
	if code != 0 || !strings.Contains(stdout, `"source": "`+base+`/Go/all.zip"`) {
		t.Errorf("status names no download address:\n%s", stdout)
	}
	before, err := os.ReadFile(filepath.Join(db, "store.db"))
	if err != nil {
		t.Fatal(err)
	}

	// One ecosystem that is not there fails the whole fetch (2), naming
	// the address; nothing of the others lands and no download is left.
	for _, tc := range []struct{ eco, want string }{
		{"PyPI", base + "/PyPI/all.zip: 404 Not Found"},
		{"Hex", "Hex"},
	} {
		code, _, stderr := runIn(t, t.TempDir(), []string{"advisories", "fetch", "--db", db, "--base-url", base, "--ecosystem", "crates.io", "--ecosystem", tc.eco}, nil)
		if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "sdlkit: error:") != 1 {
			t.Errorf("fetch %s: exit %d, stderr:\n%s", tc.eco, code, stderr)
		}
		after, err := os.ReadFile(filepath.Join(db, "store.db"))
		if err != nil {
			t.Fatal(err)
		}
		if string(after) != string(before) {
			t.Errorf("fetch %s failed but changed the store", tc.eco)
		}
		entries, err := os.ReadDir(db)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() != "store.db" && e.Name() != "store.db.lock" {
				t.Errorf("fetch %s left %s in the store directory", tc.eco, e.Name())
			}
		}
	}
	if len(served) < 5 {
		t.Errorf("the server answered %d requests: %v", len(served), served)
	}
}
