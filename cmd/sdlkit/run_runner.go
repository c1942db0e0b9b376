package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/internal/textsafe"
	"github.com/sdlkit/sdlkit/practices"
	"github.com/sdlkit/sdlkit/practices/ledger"
	"github.com/sdlkit/sdlkit/signing"
)

// releaseDir is the evidence folder's subfolder that the signed release
// manifest lists.
const releaseDir = "release"

// maxReusedEvidence bounds a piece of evidence read back from the ledger.
const maxReusedEvidence = 512 << 20

// runner holds a run's state from step to step.
type runner struct {
	a       *app
	p       *runPlan
	catalog *practices.Catalog
	// l is the ledger; nil when it does not exist yet (the record step
	// creates it).
	l *ledger.Ledger
	// prior are the records this release already has, by run key; read
	// when the first piece is made, so that a run stopped by bad input
	// has not even written the ledger's read cache.
	prior       map[string]*ledger.Record
	priorLoaded bool
	// stage is the folder the evidence is built in, beside the evidence
	// folder, renamed into place at the end.
	stage    string
	signer   *signing.Signer
	pieces   []*piece
	steps    []stepReport
	arts     []runArtifact
	progress bool
}

// runArtifact is a released file.
type runArtifact struct {
	path   string
	name   string
	digest signing.Digest
	size   int64
}

// piece is one piece of evidence: the files a step writes into the
// release folder and the record that goes into the ledger.
type piece struct {
	kind     string
	producer string
	// key is made of the piece's inputs: the ledger holding a record of
	// the release with this key means the piece exists already.
	key     string
	summary string
	subject *ledger.Subject
	facts   map[string]string
	// dir is the folder of the files inside release/.
	dir   string
	files []pieceFile
	// reused is the ledger's record when the piece was taken from it.
	reused *ledger.Record
	// record is the record written, after the record step.
	record *ledger.Record
}

type pieceFile struct {
	name string
	data []byte
}

// stepReport is one step's line of the index.
type stepReport struct {
	Name     string   `json:"name"`
	Status   string   `json:"status"`
	Millis   int64    `json:"ms"`
	Detail   string   `json:"detail,omitempty"`
	Reused   int      `json:"reused,omitempty"`
	Produced int      `json:"produced,omitempty"`
	Outputs  []string `json:"outputs,omitempty"`
}

// runKey hashes a piece's kind and inputs into its key.
func runKey(kind string, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(kind))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func newRunner(ctx context.Context, a *app, p *runPlan) (*runner, error) {
	c, err := p.ledger.catalog.load(ctx)
	if err != nil {
		return nil, err
	}
	r := &runner{a: a, p: p, catalog: c, prior: map[string]*ledger.Record{}, progress: isTerminal(a.err)}
	l, err := ledger.Open(p.ledger.location(a), c)
	switch {
	case errors.Is(err, ledger.ErrNoLedger), errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, ledgerError(err)
	default:
		r.l = l
	}
	return r, nil
}

// loadPrior reads the records the release already has that a run made.
func (r *runner) loadPrior(ctx context.Context) error {
	if r.priorLoaded || r.l == nil {
		return nil
	}
	r.priorLoaded = true
	sums, _, err := r.l.Summaries(ctx)
	if err != nil {
		return ledgerError(err)
	}
	product := r.product()
	sums = slices.DeleteFunc(sums, func(s ledger.Summary) bool { return s.Version != r.p.version || s.Product != product })
	recs, err := r.l.Records(ctx, sums)
	if err != nil {
		return ledgerError(err)
	}
	for _, rec := range recs {
		if k := rec.Facts["run.key"]; k != "" {
			r.prior[k] = rec
		}
	}
	return nil
}

// product is the product the run releases (see runPlan.product).
func (r *runner) product() string { return r.p.product }

// produce returns the piece with key: the ledger's, when the release has
// it already, else the one make makes. Its files are written into the
// release folder either way.
func (r *runner) produce(ctx context.Context, kind, key, dir string, make func() (*piece, error)) (*piece, error) {
	if err := r.loadPrior(ctx); err != nil {
		return nil, err
	}
	pc, err := r.reuse(kind, key, dir)
	if err != nil {
		return nil, err
	}
	if pc == nil {
		if pc, err = make(); err != nil {
			return nil, err
		}
		pc.kind, pc.key, pc.dir = kind, key, dir
	}
	for _, f := range pc.files {
		if err := r.write(path.Join(releaseDir, dir, f.name), f.data); err != nil {
			return nil, err
		}
	}
	r.pieces = append(r.pieces, pc)
	return pc, nil
}

// reuse reads back the piece of the ledger's record with key, if any.
func (r *runner) reuse(kind, key, dir string) (*piece, error) {
	rec := r.prior[key]
	if rec == nil || rec.Kind != kind {
		return nil, nil
	}
	pc := &piece{kind: kind, producer: rec.Producer, key: key, summary: rec.Summary, subject: rec.Subject, facts: rec.Facts, dir: dir, reused: rec}
	for _, f := range rec.Evidence {
		data, err := r.l.ReadEvidence(f.Digest, maxReusedEvidence)
		if err != nil {
			return nil, ledgerError(fmt.Errorf("read evidence %s of record %s: %w", f.Name, rec.ID, err))
		}
		pc.files = append(pc.files, pieceFile{name: f.Name, data: data})
	}
	return pc, nil
}

// file returns the data of the piece's file called name.
func (pc *piece) file(name string) ([]byte, bool) {
	for _, f := range pc.files {
		if f.name == name {
			return f.data, true
		}
	}
	return nil, false
}

// write puts a file into the staging folder; rel is slash-separated and
// made by the run, never by input, but is checked all the same.
func (r *runner) write(rel string, data []byte) error {
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return fmt.Errorf("write evidence %q: not a path inside the evidence folder", rel)
	}
	if r.stage == "" {
		if err := r.makeStage(); err != nil {
			return err
		}
	}
	p := filepath.Join(r.stage, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("write evidence: %w", err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return fmt.Errorf("write evidence: %w", err)
	}
	return nil
}

// makeStage creates the staging folder beside the evidence folder, so
// that renaming it into place is atomic on one filesystem. It is made when
// the first piece is written: a run that fails before has written nothing.
func (r *runner) makeStage() error {
	ev := r.p.cfg.Evidence
	parent := filepath.Dir(ev)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return inputError(fmt.Errorf("create evidence folder %q: %w", textsafe.Escape(ev), unwrapPathErr(err)))
	}
	if fi, err := os.Lstat(ev); err == nil && !fi.IsDir() {
		return inputError(fmt.Errorf("evidence folder %q: it is %s, not a folder", textsafe.Escape(ev), readlimit.Describe(fi.Mode())))
	}
	var nonce [6]byte
	_, _ = rand.Read(nonce[:])
	r.stage = filepath.Join(parent, "."+filepath.Base(ev)+".tmp-"+hex.EncodeToString(nonce[:]))
	if err := os.Mkdir(r.stage, 0o755); err != nil {
		return inputError(fmt.Errorf("create evidence folder %q: %w", textsafe.Escape(ev), unwrapPathErr(err)))
	}
	return nil
}

// publishStage replaces the evidence folder with the staging folder.
func (r *runner) publishStage() error {
	ev := r.p.cfg.Evidence
	old := ""
	if _, err := os.Lstat(ev); err == nil {
		old = r.stage + ".old"
		if err := os.Rename(ev, old); err != nil {
			return fmt.Errorf("replace evidence folder %q: %w", textsafe.Escape(ev), err)
		}
	}
	if err := os.Rename(r.stage, ev); err != nil {
		if old != "" {
			_ = os.Rename(old, ev)
		}
		return fmt.Errorf("replace evidence folder %q: %w", textsafe.Escape(ev), err)
	}
	if old != "" {
		_ = os.RemoveAll(old)
	}
	_ = os.RemoveAll(ev + ".incomplete")
	return nil
}

// abandonStage keeps what a failed run made as EVIDENCE.incomplete, with a
// note, and leaves the evidence folder as it was.
func (r *runner) abandonStage(step string, cause error) {
	if r.stage == "" {
		return
	}
	note := fmt.Sprintf("This folder is what 'sdlkit run' made before step %q failed:\n\n  %s\n\nIt is incomplete: nothing here was recorded in the ledger, and %s was left as it was.\n",
		step, textsafe.Escape(cause.Error()), filepath.Base(r.p.cfg.Evidence))
	_ = os.WriteFile(filepath.Join(r.stage, "INCOMPLETE"), []byte(note), 0o644)
	dst := r.p.cfg.Evidence + ".incomplete"
	_ = os.RemoveAll(dst)
	if err := os.Rename(r.stage, dst); err != nil {
		_ = os.RemoveAll(r.stage)
		return
	}
	r.a.warnf("the unfinished evidence is in %s (not recorded)", textsafe.Escape(dst))
}

// step runs one step, times it and reports it on a terminal.
func (r *runner) step(ctx context.Context, name string, fn func(ctx context.Context, rep *stepReport) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	start := time.Now()
	before := len(r.pieces)
	rep := stepReport{Name: name, Status: "ok"}
	err := fn(ctx, &rep)
	rep.Millis = time.Since(start).Milliseconds()
	for _, pc := range r.pieces[before:] {
		if pc.reused != nil {
			rep.Reused++
		} else {
			rep.Produced++
		}
		for _, f := range pc.files {
			rep.Outputs = append(rep.Outputs, path.Join(releaseDir, pc.dir, f.name))
		}
	}
	if err != nil {
		rep.Status = "failed"
		rep.Detail = oneLine(err.Error())
	}
	r.steps = append(r.steps, rep)
	if r.progress {
		detail := rep.Detail
		if rep.Reused > 0 && err == nil {
			detail = strings.TrimSpace(detail + fmt.Sprintf(" (%d from the ledger)", rep.Reused))
		}
		fmt.Fprintf(r.a.err, "sdlkit: %-10s %-6s %5d ms  %s\n", name, rep.Status, rep.Millis, textsafe.Escape(detail))
	}
	return err
}
