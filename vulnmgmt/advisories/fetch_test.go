package advisories

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// exportServer serves the fixture zips at /ECOSYSTEM/all.zip on loopback,
// as the OSV bucket lays them out.
func exportServer(t testing.TB) (*httptest.Server, map[string][]byte) {
	t.Helper()
	zips := map[string][]byte{
		"npm":       zipBytes(t, recordsOf(t, "ghsa")),
		"PyPI":      zipBytes(t, recordsOf(t, "pypa")),
		"crates.io": zipBytes(t, recordsOf(t, "rustsec")),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		eco, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/all.zip")
		data, found := zips[eco]
		if !ok || !found {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv, zips
}

// TestDownload fetches exports from a loopback server and imports them.
func TestDownload(t *testing.T) {
	t.Parallel()
	srv, zips := exportServer(t)
	tmp := t.TempDir()
	var sources []Source
	for _, eco := range []string{"npm", "PyPI", "crates.io"} {
		var last int64
		p, err := Download(context.Background(), srv.URL+"/", eco, tmp, func(n int64) { last = n })
		if err != nil {
			t.Fatalf("Download %s: %v", eco, err)
		}
		if got := readAll(t, p); !bytes.Equal(got, zips[eco]) {
			t.Errorf("%s: downloaded %d bytes, served %d", eco, len(got), len(zips[eco]))
		}
		if last != int64(len(zips[eco])) {
			t.Errorf("%s: progress ended at %d, want %d", eco, last, len(zips[eco]))
		}
		if filepath.Dir(p) != tmp {
			t.Errorf("downloaded to %s, want a file in %s", p, tmp)
		}
		sources = append(sources, Source{Path: p, Name: ExportURL(srv.URL, eco)})
	}
	info := mustImport(t, t.TempDir(), sources...)
	if info.Records != 7+5+2 || info.Sources[2].Source != srv.URL+"/crates.io/all.zip" {
		t.Errorf("%d records, source %q", info.Records, info.Sources[2].Source)
	}
}

// TestDownloadErrors fetches from servers that fail in the ways real ones
// do, and some hostile ones: each is one line naming the address, and
// nothing is left in the download directory.
func TestDownloadErrors(t *testing.T) {
	t.Parallel()
	srv, _ := exportServer(t)
	const limit = 1 << 20
	var endlessSent atomic.Int64
	endless := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("PK"), 16<<10)
		for r.Context().Err() == nil {
			n, err := w.Write(chunk)
			endlessSent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	t.Cleanup(endless.Close)
	claimsHuge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "9000000000")
		w.Write([]byte("PK"))
	}))
	t.Cleanup(claimsHuge.Close)
	status := func(code int) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no", code)
		}))
		t.Cleanup(s.Close)
		return s
	}
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html><body>Sign in to continue</body></html>"))
	}))
	t.Cleanup(html.Close)
	loop := httptest.NewServer(nil)
	loop.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, loop.URL+r.URL.Path, http.StatusFound)
	})
	t.Cleanup(loop.Close)
	// An https server that sends the client to plain http.
	downgrade := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(downgrade.Close)

	tests := []struct {
		name string
		base string
		want string
		d    downloader
	}{
		{"404", srv.URL, "404 Not Found", downloader{}},
		{"500", status(500).URL, "500 Internal Server Error", downloader{}},
		{"503", status(503).URL, "503 Service Unavailable", downloader{}},
		{"endless body", endless.URL, "more than the 1 MiB limit", downloader{}},
		{"length over the limit", claimsHuge.URL, "more than the 1 MiB limit", downloader{}},
		{"not a zip", html.URL, "not a zip export", downloader{}},
		{"redirect loop", loop.URL, "10 redirects", downloader{}},
		{"redirect from https to http", downgrade.URL, "refused a redirect from https", downloader{transport: downgrade.Client().Transport}},
		{"nobody listening", "http://127.0.0.1:1", "connection refused", downloader{}},
		{"not http", "ftp://127.0.0.1", "not an http(s) address", downloader{}},
		{"no scheme", "127.0.0.1", "not an http(s) address", downloader{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			d := tt.d
			d.limit = limit
			eco := "Go"
			if tt.name == "404" {
				eco = "Hackage"
			}
			u := ExportURL(tt.base, eco)
			p, err := d.get(context.Background(), u, tmp, nil)
			oneLine(t, err, "fetch "+u, tt.want)
			if p != "" {
				t.Errorf("a failed download returned %q", p)
			}
			if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
				t.Errorf("left %d files in the download directory", len(entries))
			}
		})
	}
	if sent := endlessSent.Load(); sent > 64<<20 {
		t.Errorf("the endless server got to send %d MiB, for a 1 MiB limit", sent>>20)
	}
}

// TestDownloadCancelled cancels a download from a server that sends the
// start of a body and then nothing.
func TestDownloadCancelled(t *testing.T) {
	t.Parallel()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("PK\x03\x04"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(slow.Close)
	ctx, cancel := context.WithCancel(context.Background())
	tmp := t.TempDir()
	start := time.Now()
	_, err := Download(ctx, slow.URL, "npm", tmp, func(n int64) {
		if n > 0 {
			time.AfterFunc(100*time.Millisecond, cancel)
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	oneLine(t, err, slow.URL+"/npm/all.zip")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("a cancelled download took %v", d)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("left %d files in the download directory", len(entries))
	}
}

// TestDownloadRedirect follows a redirect to another host (a mirror that
// sends clients to its storage), and names the address asked for.
func TestDownloadRedirect(t *testing.T) {
	t.Parallel()
	srv, zips := exportServer(t)
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(mirror.Close)
	if strings.TrimPrefix(mirror.URL, "http://") == strings.TrimPrefix(srv.URL, "http://") {
		t.Fatal("the two servers have the same address")
	}
	p, err := Download(context.Background(), mirror.URL, "PyPI", t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, p); !bytes.Equal(got, zips["PyPI"]) {
		t.Error("the redirected download differs from what was served")
	}
}

// TestExportURL escapes ecosystem names into the address.
func TestExportURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ base, eco, want string }{
		{DefaultExportURL, "PyPI", DefaultExportURL + "/PyPI/all.zip"},
		{"https://mirror.example/osv/", "crates.io", "https://mirror.example/osv/crates.io/all.zip"},
		{"https://m.example", "Debian:12", "https://m.example/Debian:12/all.zip"},
		{"https://m.example", "Photon OS", "https://m.example/Photon%20OS/all.zip"},
		{"https://m.example", "../../x", "https://m.example/..%2F..%2Fx/all.zip"},
	} {
		if got := ExportURL(tt.base, tt.eco); got != tt.want {
			t.Errorf("ExportURL(%q, %q) = %q, want %q", tt.base, tt.eco, got, tt.want)
		}
	}
}
