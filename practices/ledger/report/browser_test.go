package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sdlkit/sdlkit/practices"
	"github.com/sdlkit/sdlkit/practices/ledger"
)

// artifactDir is where the browser tests leave their screenshots:
// $SDLKIT_TEST_ARTIFACTS (CI keeps it), else the test's temporary folder.
func artifactDir(t *testing.T) string {
	if d := os.Getenv("SDLKIT_TEST_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// testLedger builds a ledger of three releases with the linked kinds of
// evidence, a review, a stale threat model, an out-of-scope requirement
// and a summary that holds markup.
func testLedger(t *testing.T) (*ledger.Ledger, *practices.Catalog) {
	t.Helper()
	ctx := context.Background()
	c, err := practices.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	scope := &ledger.Scope{Format: ledger.ScopeFormat, OutOfScope: []ledger.Exclusion{{Requirement: "SG-6", Rationale: "no patches are delivered to integrators"}}}
	start := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	l, err := ledger.Init(ctx, ledger.Location{Repo: filepath.Join(t.TempDir(), "ev.git")}, c,
		ledger.InitOptions{Product: "example.com/plc", Scope: scope, Actor: "Ada <ada@example.com>", Time: start}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	w := &ledger.Writer{Ledger: l, Now: func() time.Time { n++; return start.Add(time.Duration(n) * 24 * time.Hour) }}
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	entries := []ledger.Entry{{Record: ledger.Record{Actor: "Ada <ada@example.com>", Requirements: []string{"SR-2"}, Kind: "threat-model",
		Summary: "STRIDE threat model of the PLC gateway"}, Files: []string{file("tm.md", "# threat model\n")}}}
	for _, v := range []string{"1.2.0", "1.3.0", "1.4.0"} {
		entries = append(entries,
			ledger.Entry{Record: ledger.Record{Actor: "github:acme/plc/.github/workflows/release.yml", Version: v, Requirements: []string{"SM-9", "SVV-3", "SUM-3"},
				Kind: "sbom", Producer: "sdlkit sbom generate", Summary: "SBOM of example.com/plc " + v, Facts: map[string]string{"components": "42"}},
				Files: []string{file("plc-"+v+".cdx.json", `{"bomFormat":"CycloneDX","version":"`+v+`"}`)}},
			ledger.Entry{Record: ledger.Record{Actor: "github:acme/plc/.github/workflows/release.yml", Version: v, Requirements: []string{"SVV-1"},
				Kind: "test-report", Summary: "unit tests of " + v + ` <script>alert("xss")</script>`}, Files: []string{file("tests-"+v+".txt", "ok "+v)}},
		)
	}
	entries = append(entries, ledger.Entry{Record: ledger.Record{Actor: "Bob <bob@example.com>", Version: "1.4.0", Requirements: []string{"SM-11"},
		Kind: "approval", Review: &ledger.Decision{Status: "approved", Note: "release 1.4.0 approved"}}})
	if _, err := w.Append(ctx, entries); err != nil {
		t.Fatal(err)
	}
	return l, c
}

// input gathers a report's input as the command does.
func input(t *testing.T, l *ledger.Ledger, c *practices.Catalog, version string) Input {
	t.Helper()
	ctx := context.Background()
	st, err := l.Status(ctx, ledger.StatusOptions{Version: version, Now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	scope, err := l.Scope()
	if err != nil {
		t.Fatal(err)
	}
	all, _, err := l.Summaries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var inForce []ledger.Summary
	for _, s := range all {
		if s.Version == st.Version || s.Version == "" {
			inForce = append(inForce, s)
		}
	}
	recs, err := l.Records(ctx, inForce)
	if err != nil {
		t.Fatal(err)
	}
	return Input{Status: st, Catalog: c, Scope: scope, Records: recs, History: all, Generated: time.Now(), Tool: "sdlkit test",
		Findings: []Finding{
			{ID: "GHSA-3h5v-q93c-6h6q", Severity: "HIGH", Score: "7.5", Component: "ws", Version: "7.5.9", Fixed: "7.5.10"},
			{ID: "GO-2026-5932", Severity: "UNKNOWN", Component: "golang.org/x/crypto", Version: "v0.54.0", Suppressed: true, VEX: "not_affected: vulnerable_code_not_present"},
		}}
}

// seen is what the browser saw of a page.
type seen struct {
	console     []string
	brokenLinks []string
	scripts     int
	text        string
	covered     map[string][2]int // practice ("" for the total) → covered, in scope
	screenshot  []byte
	// load is the time to the navigation's end as the test saw it;
	// loadEvent the page's load event as the browser measured it.
	load, loadEvent time.Duration
}

// browser starts headless Chromium (Debian's chromium, found on PATH) for
// one test.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.NoSandbox, chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium (apt-get install chromium): %v", err)
	}
	return ctx
}

// open loads an HTML file in the browser and reads what the tests check.
func open(t *testing.T, ctx context.Context, path string, screenshot bool) seen {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var s seen
	var mu sync.Mutex
	listen, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	messages := chromedp.Console(listen)
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			s.console = append(s.console, m.String())
			mu.Unlock()
		}
	}()
	start := time.Now()
	err := chromedp.Do(ctx, chromedp.Navigate("file://"+path), chromedp.WaitReady(chromedp.CSS("footer")))
	s.load = time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	var cov []string
	steps := []error{}
	s.brokenLinks, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))`))
	steps = append(steps, err)
	s.scripts, err = chromedp.Run(ctx, chromedp.Evaluate[int](`document.scripts.length`))
	steps = append(steps, err)
	// textContent, not innerText: requirement cards off screen are not laid
	// out (content-visibility: auto), and innerText leaves them out.
	s.text, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.textContent`))
	steps = append(steps, err)
	var loadMS float64
	loadMS, err = chromedp.Run(ctx, chromedp.Evaluate[float64](`performance.getEntriesByType('navigation')[0].loadEventEnd`))
	s.loadEvent = time.Duration(loadMS * float64(time.Millisecond))
	steps = append(steps, err)
	cov, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-in-scope]:not(article)')].map(e => (e.dataset.practice || '') + ' ' + e.dataset.covered + ' ' + e.dataset.inScope)`))
	steps = append(steps, err)
	if screenshot {
		s.screenshot, err = chromedp.Run(ctx, chromedp.FullScreenshot(90))
		steps = append(steps, err)
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	stop()
	<-done
	s.covered = map[string][2]int{}
	for _, c := range cov {
		f := strings.Fields(c)
		if len(f) == 2 {
			f = append([]string{""}, f...)
		}
		a, _ := strconv.Atoi(f[1])
		b, _ := strconv.Atoi(f[2])
		s.covered[f[0]] = [2]int{a, b}
	}
	return s
}

// TestReportInBrowser renders the report of a ledger of several releases
// and checks it in a real browser: no console error, every internal link
// resolves, the coverage equals the ledger's status, a summary holding
// <script> shows as text, and a full-page screenshot is left behind.
func TestReportInBrowser(t *testing.T) {
	t.Parallel()
	l, c := testLedger(t)
	in := input(t, l, c, "")
	var buf bytes.Buffer
	if err := HTML(&buf, in); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	// The console is read: a page that writes to it is caught.
	noisy := filepath.Join(t.TempDir(), "noisy.html")
	if err := os.WriteFile(noisy, []byte(`<!doctype html><title>x</title><script>console.error("boom")</script><footer></footer>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := open(t, ctx, noisy, false); len(n.console) == 0 {
		t.Fatal("the console listener saw nothing of a page that writes an error")
	}
	p := open(t, ctx, path, true)
	if len(p.console) > 0 {
		t.Errorf("browser console: %v", p.console)
	}
	if len(p.brokenLinks) > 0 {
		t.Errorf("internal links that resolve to nothing: %v", p.brokenLinks)
	}
	if p.scripts != 0 {
		t.Errorf("%d script elements: a record's markup was not escaped", p.scripts)
	}
	if !strings.Contains(p.text, `unit tests of 1.4.0 <script>alert("xss")</script>`) {
		t.Errorf("the summary holding <script> is not shown as text")
	}
	want := map[string][2]int{"": {in.Status.Covered, in.Status.InScope}}
	for _, ps := range in.Status.Practices {
		want[ps.ID] = [2]int{ps.Covered, ps.InScope}
	}
	if fmt.Sprint(p.covered) != fmt.Sprint(want) {
		t.Errorf("coverage on the page %v, status %v", p.covered, want)
	}
	if in.Status.Version != "1.4.0" || in.Status.Covered != 7 || in.Status.InScope != 46 {
		t.Errorf("status: release %q, %d of %d covered", in.Status.Version, in.Status.Covered, in.Status.InScope)
	}
	for _, s := range []string{"SR-2", "stale: newest threat-model recorded 2025-06-02", "out of scope: no patches are delivered to integrators", "1 open, 2 in all"} {
		if !strings.Contains(p.text, s) {
			t.Errorf("the page does not say %q", s)
		}
	}
	shot := filepath.Join(artifactDir(t), "ledger-report.jpg")
	if err := os.WriteFile(shot, p.screenshot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes), page loaded in %v", shot, len(p.screenshot), p.load)
}

// TestReportAtScale renders the report of the ledger issue's scale case,
// 150,000 records (100 products × 50 releases × 30 records), for one
// product whose release has 300 records in force (ten times the case's
// 30): it stays under 10 MB and opens in the browser in under 2 s, as the
// browser measures its load event.
func TestReportAtScale(t *testing.T) {
	t.Parallel()
	c, err := practices.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	kinds := []struct {
		kind string
		reqs []string
	}{{"sbom", []string{"SM-9", "SVV-3", "SUM-3"}}, {"vuln-scan", []string{"SM-9", "SM-11", "SVV-3", "DM-1", "DM-3", "SUM-1"}},
		{"signature", []string{"SM-6", "SM-8", "SUM-4"}}, {"test-report", []string{"SVV-1"}}, {"review", []string{"SR-2"}}}
	start := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	var history []ledger.Summary
	var records []*ledger.Record
	for p := 0; p < 100; p++ {
		for rel := 0; rel < 50; rel++ {
			for i := 0; i < 30; i++ {
				k := kinds[i%len(kinds)]
				s := ledger.Summary{ID: fmt.Sprintf("%08x%08x%08x", p, rel, i), Time: start.Add(time.Duration(p*1500+rel*30+i) * time.Minute),
					Product: fmt.Sprintf("example.com/product-%02d", p), Version: fmt.Sprintf("1.%d.0", rel), Kind: k.kind, Requirements: k.reqs}
				if p == 0 {
					history = append(history, s)
				}
			}
		}
	}
	for i := 0; i < 300; i++ {
		k := kinds[i%len(kinds)]
		records = append(records, &ledger.Record{ID: fmt.Sprintf("%024x", i), Time: start.Add(time.Duration(i) * time.Second),
			Actor: "github:acme/plc/.github/workflows/release.yml", Product: "example.com/product-00", Version: "1.49.0",
			Requirements: k.reqs, Kind: k.kind, Summary: fmt.Sprintf("%s number %d of release 1.49.0", k.kind, i),
			Evidence: []ledger.File{{Name: fmt.Sprintf("file-%d.json", i), MediaType: "application/json", Size: 1234, Digest: fmt.Sprintf("sha256:%064x", i)}},
			Facts:    map[string]string{"components": "312"}})
	}
	st := &ledger.Status{Format: ledger.StatusFormat, Product: "example.com/product-00", Version: "1.49.0", Head: strings.Repeat("a", 40), Records: 150000}
	scope := &ledger.Scope{Format: ledger.ScopeFormat}
	for _, p := range c.Practices {
		ps := ledger.PracticeStatus{ID: p.ID, Title: p.Title, Maturity: 1}
		reqs, _ := c.RequirementsOf(p.ID)
		for _, r := range reqs {
			ps.Requirements = append(ps.Requirements, ledger.RequirementStatus{ID: r.ID, Title: r.Title, InScope: true})
			ps.InScope++
		}
		st.InScope += ps.InScope
		st.Practices = append(st.Practices, ps)
	}
	var buf bytes.Buffer
	if err := HTML(&buf, Input{Status: st, Catalog: c, Scope: scope, Records: records, History: history, Generated: time.Now(), Tool: "sdlkit test"}); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 10<<20 {
		t.Errorf("report of 150,000 records: %d bytes, want under 10 MB", buf.Len())
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	p := open(t, browser(t), path, false)
	if p.loadEvent > 2*time.Second {
		t.Errorf("report of 150,000 records opened in %v, want under 2 s", p.loadEvent)
	}
	if len(p.console) > 0 || len(p.brokenLinks) > 0 {
		t.Errorf("console %v, broken links %v", p.console, p.brokenLinks)
	}
	t.Logf("report of 150,000 records (300 in force): %.1f MB, load event after %v (%v seen by the test)", float64(buf.Len())/(1<<20), p.loadEvent, p.load)
}

// unsignedSealer seals checkpoints without a signature: the export test
// needs a checkpoint to prove records against, not its signature (the
// ledger package's tests verify those).
type unsignedSealer struct{}

func (unsignedSealer) Seal(_ context.Context, predicate []byte) ([]byte, error) {
	stmt, err := json.Marshal(map[string]any{"_type": "https://in-toto.io/Statement/v1", "predicateType": ledger.CheckpointPredicateType, "predicate": json.RawMessage(predicate)})
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"dsseEnvelope": map[string]any{"payload": stmt, "payloadType": "application/vnd.in-toto+json"}})
}

// TestExportedReportLinks opens the report of an audit package and
// follows every link: internal ones to an element, evidence ones to a
// file of the package whose digest is the one the link names.
func TestExportedReportLinks(t *testing.T) {
	t.Parallel()
	l, c := testLedger(t)
	if _, err := (&ledger.Writer{Ledger: l}).Checkpoint(context.Background(), unsignedSealer{}); err != nil {
		t.Fatal(err)
	}
	in := input(t, l, c, "1.4.0")
	in.EvidenceLinks = true
	var buf bytes.Buffer
	if err := HTML(&buf, in); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "audit")
	if _, err := l.Export(context.Background(), dir, ledger.ExportOptions{Product: "example.com/plc", Version: "1.4.0", Report: buf.Bytes(), Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	p := open(t, ctx, filepath.Join(dir, "report.html"), false)
	if len(p.console) > 0 || len(p.brokenLinks) > 0 {
		t.Fatalf("console %v, broken internal links %v", p.console, p.brokenLinks)
	}
	hrefs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('a[href]:not([href^="#"])')].map(a => a.getAttribute('href'))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(hrefs) < 5 {
		t.Fatalf("%d evidence links, want one per evidence file", len(hrefs))
	}
	for _, h := range hrefs {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(h)))
		if err != nil {
			t.Errorf("link %s: %v", h, err)
			continue
		}
		sum := sha256.Sum256(data)
		if !strings.HasSuffix(h, hex.EncodeToString(sum[:])) {
			t.Errorf("link %s: the file's digest is %x", h, sum)
		}
	}
}
