package main

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sdlkit/sdlkit/internal/textsafe"
	"github.com/sdlkit/sdlkit/signing"
)

// runIndexFormat identifies the JSON form of a run's index.
const runIndexFormat = "sdlkit.run/v1"

// runIndex is index.json: what a run did, step by step, and where its
// evidence is, in the evidence folder and in the ledger.
type runIndex struct {
	Format    string          `json:"format"`
	Product   string          `json:"product"`
	Version   string          `json:"version"`
	Commit    string          `json:"commit,omitempty"`
	Config    string          `json:"config,omitempty"`
	Started   time.Time       `json:"started"`
	Millis    int64           `json:"ms"`
	Artifacts []indexArtifact `json:"artifacts"`
	Steps     []stepReport    `json:"steps"`
	Decision  indexDecision   `json:"decision"`
	Findings  map[string]int  `json:"findings"`
	Ledger    indexLedger     `json:"ledger"`
	Files     []indexFile     `json:"files"`
}

type indexArtifact struct {
	Name      string `json:"name"`
	Path      string `json:"path"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
	Signature string `json:"signature"`
}

type indexDecision struct {
	Policy  string `json:"policy"`
	Digest  string `json:"digest"`
	Allowed bool   `json:"allowed"`
	Passed  int    `json:"passed"`
	Warned  int    `json:"warned"`
	Denied  int    `json:"denied"`
}

type indexLedger struct {
	Repository string        `json:"repository"`
	Branch     string        `json:"branch"`
	Records    []indexRecord `json:"records"`
	Checkpoint int           `json:"checkpoint"`
	Head       string        `json:"head"`
}

type indexRecord struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// New is false for a record an earlier run of the release made.
	New     bool   `json:"new"`
	Summary string `json:"summary"`
}

type indexFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// builderID names what ran the build: the GitHub Actions workflow, else a
// local run.
func (r *runner) builderID() string {
	if ref := r.a.getenv("GITHUB_WORKFLOW_REF"); r.a.getenv("GITHUB_ACTIONS") == "true" && ref != "" {
		return strings.TrimSuffix(cmp.Or(r.a.getenv("GITHUB_SERVER_URL"), "https://github.com"), "/") + "/" + ref
	}
	return "https://sdlkit.dev/run/local"
}

// invocationID names this run: the Actions run and attempt, else a time.
func (r *runner) invocationID() string {
	if id := r.a.getenv("GITHUB_RUN_ID"); r.a.getenv("GITHUB_ACTIONS") == "true" && id != "" {
		return fmt.Sprintf("%s/%s/actions/runs/%s/attempts/%s", cmp.Or(r.a.getenv("GITHUB_SERVER_URL"), "https://github.com"),
			r.a.getenv("GITHUB_REPOSITORY"), id, cmp.Or(r.a.getenv("GITHUB_RUN_ATTEMPT"), "1"))
	}
	return "local:" + r.p.started.Format("20060102T150405.000000000Z")
}

// provenance is the SLSA v1 provenance of the run: the source at its
// commit, the project file, the advisory store, the sdlkit that ran.
func (r *runner) provenance(st *runState) ([]byte, error) {
	patterns := []any{}
	for _, p := range r.p.cfg.Artifacts {
		patterns = append(patterns, p.Glob)
	}
	ext := map[string]any{"product": r.product(), "version": r.p.version, "artifacts": patterns,
		"policy": map[string]any{"name": r.p.policy.Name, "digest": r.p.policy.Digest}}
	var deps []signing.Resource
	if r.p.commit != "" {
		deps = append(deps, signing.Resource{Name: "source", URI: sourceURI(r.a), Digest: map[string]string{"gitCommit": r.p.commit}})
	}
	if len(r.p.configData) > 0 {
		sum := sha256.Sum256(r.p.configData)
		deps = append(deps, signing.Resource{Name: filepath.Base(r.p.cfg.File), Digest: map[string]string{"sha256": hex.EncodeToString(sum[:])}})
	}
	deps = append(deps, signing.Resource{Name: "advisory-store", Digest: map[string]string{"sha256": strings.TrimPrefix(st.store.Info().Digest, "sha256:")}})
	prov := signing.Provenance{
		BuildType: "https://sdlkit.dev/run/v1", BuilderID: r.builderID(),
		BuilderVersion: map[string]string{"sdlkit": readBuildVersion().Version}, ExternalParameters: ext,
		Dependencies: deps, InvocationID: r.invocationID(), StartedOn: r.p.started.Truncate(time.Second),
	}
	return prov.Predicate()
}

// sourceURI is the repository's address in Actions, else "git+file:".
func sourceURI(a *app) string {
	if repo := a.getenv("GITHUB_REPOSITORY"); repo != "" {
		return "git+" + strings.TrimSuffix(cmp.Or(a.getenv("GITHUB_SERVER_URL"), "https://github.com"), "/") + "/" + repo
	}
	return "git+file:."
}

// writeIndex writes index.json and index.md into the staging folder.
func (r *runner) writeIndex(st *runState) (*runIndex, error) {
	idx := &runIndex{Format: runIndexFormat, Product: r.product(), Version: r.p.version, Commit: r.p.commit, Started: r.p.started,
		Millis: time.Since(r.p.started).Milliseconds(), Steps: r.steps, Artifacts: []indexArtifact{}, Files: []indexFile{}}
	if len(r.p.configData) > 0 {
		idx.Config = r.p.cfg.File
	}
	for _, a := range r.arts {
		idx.Artifacts = append(idx.Artifacts, indexArtifact{Name: a.name, Path: a.path, Digest: a.digest.String(), Size: a.size,
			Signature: filepath.ToSlash(filepath.Join(releaseDir, "signatures", a.name+bundleSuffix))})
	}
	d := st.decision
	idx.Decision = indexDecision{Policy: d.Policy, Digest: d.Digest, Allowed: d.Allowed, Passed: d.Passed, Warned: d.Warned, Denied: d.Denied}
	s := st.scan.Summary
	idx.Findings = map[string]int{"critical": s.Critical, "high": s.High, "medium": s.Medium, "low": s.Low, "unknown": s.Unknown, "suppressed": s.Suppressed}
	head, _ := r.l.Head()
	idx.Ledger = indexLedger{Repository: r.l.GitDir(), Branch: r.l.Branch(), Checkpoint: st.cp.Checkpoint.Seq, Head: head.String(), Records: []indexRecord{}}
	for _, pc := range r.pieces {
		if pc.record != nil {
			idx.Ledger.Records = append(idx.Ledger.Records, indexRecord{ID: pc.record.ID, Kind: pc.kind, New: pc.reused == nil, Summary: pc.summary})
		}
	}
	files, err := hashTree(r.stage)
	if err != nil {
		return nil, err
	}
	idx.Files = files
	data, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := r.write("index.json", append(data, '\n')); err != nil {
		return nil, err
	}
	var md bytes.Buffer
	writeIndexMarkdown(&md, idx, st)
	return idx, r.write("index.md", md.Bytes())
}

// hashTree lists every file under dir with its size and SHA-256.
func hashTree(dir string) ([]indexFile, error) {
	var files []indexFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		n, err := io.Copy(h, f)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, indexFile{Path: filepath.ToSlash(rel), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("index evidence folder: %w", err)
	}
	return files, nil
}

// writeIndexMarkdown is index.md: the run for people, and the summary a
// CI job shows ($GITHUB_STEP_SUMMARY).
func writeIndexMarkdown(w io.Writer, idx *runIndex, st *runState) {
	verdict := "passed"
	if !idx.Decision.Allowed {
		verdict = "denied"
	}
	fmt.Fprintf(w, "# Release %s %s: %s\n\n", mdCell(idx.Product), mdCell(idx.Version), verdict)
	fmt.Fprintf(w, "Made by `sdlkit run` from commit `%s`, policy **%s** (%d passed, %d warned, %d denied).\n\n",
		mdCell(cmp.Or(idx.Commit, "unknown")), mdCell(idx.Decision.Policy), idx.Decision.Passed, idx.Decision.Warned, idx.Decision.Denied)
	fmt.Fprintf(w, "## Steps\n\n| Step | Status | ms | Detail |\n|---|---|---:|---|\n")
	for _, s := range idx.Steps {
		detail := s.Detail
		if s.Reused > 0 {
			detail += fmt.Sprintf(" (%d from the ledger)", s.Reused)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s |\n", s.Name, s.Status, s.Millis, mdCell(detail))
	}
	fmt.Fprintf(w, "\n## Artifacts\n\n| Artifact | SHA-256 | Signature |\n|---|---|---|\n")
	for _, a := range idx.Artifacts {
		fmt.Fprintf(w, "| %s | `%s` | %s |\n", mdCell(a.Name), strings.TrimPrefix(a.Digest, "sha256:"), mdCell(a.Signature))
	}
	f := idx.Findings
	fmt.Fprintf(w, "\n## Vulnerabilities\n\n%d critical, %d high, %d medium, %d low, %d unknown; %d suppressed by VEX. Details: `release/scan.md`, `release/scan.sarif`.\n",
		f["critical"], f["high"], f["medium"], f["low"], f["unknown"], f["suppressed"])
	fmt.Fprintf(w, "\n## Release gate\n\n| Rule | Outcome | Requirements |\n|---|---|---|\n")
	for _, res := range st.decision.Results {
		fmt.Fprintf(w, "| %s | %s | %s |\n", mdCell(res.Rule), res.Outcome, mdCell(strings.Join(res.Requirements, ", ")))
	}
	fmt.Fprintf(w, "\n## Ledger\n\nBranch `%s`, checkpoint %d at `%s`.\n\n| Record | Kind | New | Summary |\n|---|---|---|---|\n",
		mdCell(idx.Ledger.Branch), idx.Ledger.Checkpoint, idx.Ledger.Head)
	for _, rec := range idx.Ledger.Records {
		fmt.Fprintf(w, "| `%s` | %s | %v | %s |\n", rec.ID, rec.Kind, rec.New, mdCell(rec.Summary))
	}
	fmt.Fprintf(w, "\n## Verify\n\n```sh\nsdlkit release verify release --key KEY.pub   # the evidence, as signed\n")
	for _, a := range idx.Artifacts {
		fmt.Fprintf(w, "sdlkit verify %s --bundle %s --key KEY.pub\n", shellWord(a.Name), shellWord(a.Signature))
		break
	}
	fmt.Fprintf(w, "sdlkit ledger verify --since checkpoint.sigstore.json --key KEY.pub\n```\n")
}

// shellWord quotes s for a shell when it holds anything but safe runes.
func shellWord(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(textsafe.Escape(s), "'", `'\''`) + "'"
}

// report prints the evidence folder (or index.json) on stdout and the
// verdict on stderr.
func (r *runner) report(st *runState, idx *runIndex) error {
	if r.p.format == "json" {
		data, err := os.ReadFile(filepath.Join(r.p.cfg.Evidence, "index.json"))
		if err != nil {
			return err
		}
		if _, err := r.a.out.Write(data); err != nil {
			return err
		}
	} else if _, err := fmt.Fprintln(r.a.out, displayPath(r.p.cfg.Evidence)); err != nil {
		return err
	}
	newRecs := 0
	for _, rec := range idx.Ledger.Records {
		if rec.New {
			newRecs++
		}
	}
	r.a.infof("release %s %s passed policy %s: %s signed, %s (%d already recorded), checkpoint %d, evidence in %s (%d ms)",
		textsafe.Escape(idx.Product), textsafe.Escape(idx.Version), idx.Decision.Policy, plural(len(idx.Artifacts), "artifact"), plural(newRecs, "new record"),
		len(idx.Ledger.Records)-newRecs, idx.Ledger.Checkpoint, textsafe.Escape(displayPath(r.p.cfg.Evidence)), idx.Millis)
	return nil
}

// displayPath shows p relative to the working directory when it lies
// inside it.
func displayPath(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return p
}
