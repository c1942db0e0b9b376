package advisories

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// DefaultExportURL is where the OSV project publishes its per-ecosystem
// exports: DefaultExportURL/ECOSYSTEM/all.zip.
const DefaultExportURL = "https://osv-vulnerabilities.storage.googleapis.com"

// ExportURL is the address of an ecosystem's export under base.
func ExportURL(base, ecosystem string) string {
	return strings.TrimSuffix(base, "/") + "/" + url.PathEscape(ecosystem) + "/all.zip"
}

// Download fetches an ecosystem's export into dir and returns the file's
// path. It follows no more than the HTTP client's redirects, refuses an
// answer other than 200 and a body over MaxZipFile, and reports the bytes
// read so far to progress (may be nil).
func Download(ctx context.Context, base, ecosystem, dir string, progress func(int64)) (string, error) {
	u := ExportURL(base, ecosystem)
	if p, err := url.Parse(u); err != nil || p.Scheme != "https" && p.Scheme != "http" {
		return "", fmt.Errorf("fetch %s: not an http(s) address", u)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("fetch %s: %w", u, err)
	}
	client := &http.Client{Timeout: 30 * time.Minute}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("fetch %s: %s", u, resp.Status)
	}
	if resp.ContentLength > MaxZipFile {
		return "", fmt.Errorf("fetch %s: %s, more than the %s limit for an export", u, readlimit.FormatSize(resp.ContentLength), readlimit.FormatSize(MaxZipFile))
	}
	f, err := os.CreateTemp(dir, "export-*.zip")
	if err != nil {
		return "", fmt.Errorf("fetch %s: %w", u, err)
	}
	defer f.Close()
	var body io.Reader = io.LimitReader(resp.Body, MaxZipFile+1)
	if progress != nil {
		body = &countingReader{r: body, report: progress}
	}
	n, err := io.Copy(f, body)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("fetch %s: %w", u, err)
	}
	if n > MaxZipFile {
		return "", fmt.Errorf("fetch %s: more than the %s limit for an export", u, readlimit.FormatSize(MaxZipFile))
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("fetch %s: %w", u, err)
	}
	// A proxy's or mirror's error page can come with a 200: say so here,
	// naming the address rather than the temporary file.
	zr, err := zip.OpenReader(f.Name())
	if err != nil {
		return "", fmt.Errorf("fetch %s: the answer is not a zip export: %v", u, err)
	}
	zr.Close()
	return filepath.Clean(f.Name()), nil
}

type countingReader struct {
	r      io.Reader
	n      int64
	report func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.report(c.n)
	return n, err
}
