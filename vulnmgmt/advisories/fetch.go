package advisories

import (
	"archive/zip"
	"cmp"
	"context"
	"errors"
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
// path. It follows up to 10 redirects but none from https to http,
// refuses an answer other than 200, a body over MaxZipFile and one that is
// not a zip archive, and reports the bytes read so far to progress (may
// be nil). On any error, nothing is left in dir.
func Download(ctx context.Context, base, ecosystem, dir string, progress func(int64)) (string, error) {
	return downloader{limit: MaxZipFile}.get(ctx, ExportURL(base, ecosystem), dir, progress)
}

// downloader fetches one export; tests set a small limit and the
// transport of a loopback TLS server.
type downloader struct {
	limit     int64
	transport http.RoundTripper
}

func (d downloader) get(ctx context.Context, u, dir string, progress func(int64)) (path string, err error) {
	if p, err := url.Parse(u); err != nil || p.Scheme != "https" && p.Scheme != "http" {
		return "", fmt.Errorf("fetch %s: not an http(s) address", u)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("fetch %s: %w", u, err)
	}
	client := &http.Client{Timeout: 30 * time.Minute, Transport: d.transport, CheckRedirect: checkRedirect}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("fetch %s: %w", u, cmp.Or(ctx.Err(), err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("fetch %s: %s", u, resp.Status)
	}
	if resp.ContentLength > d.limit {
		return "", fmt.Errorf("fetch %s: %s, more than the %s limit for an export", u, readlimit.FormatSize(resp.ContentLength), readlimit.FormatSize(d.limit))
	}
	f, err := os.CreateTemp(dir, "export-*.zip")
	if err != nil {
		return "", fmt.Errorf("fetch %s: %w", u, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	var body io.Reader = io.LimitReader(resp.Body, d.limit+1)
	if progress != nil {
		body = &countingReader{r: body, report: progress}
	}
	n, err := io.Copy(f, body)
	if err != nil {
		return "", fmt.Errorf("fetch %s: %w", u, cmp.Or(ctx.Err(), err))
	}
	if n > d.limit {
		return "", fmt.Errorf("fetch %s: more than the %s limit for an export", u, readlimit.FormatSize(d.limit))
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("fetch %s: %w", u, err)
	}
	if err := checkZip(f.Name()); err != nil {
		return "", fmt.Errorf("fetch %s: not a zip export: %v", u, err)
	}
	return filepath.Clean(f.Name()), nil
}

// checkRedirect follows up to 10 redirects, to any host, but never from
// https to http: nothing signs an export, TLS is all that vouches for it.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if prev := via[len(via)-1]; prev.URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("refused a redirect from https to %s", req.URL.Redacted())
	}
	return nil
}

// checkZip reports a downloaded file that is not a zip archive (an error
// page served with 200), so that the error names the address, not the
// temporary file.
func checkZip(path string) error {
	r, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	return r.Close()
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
