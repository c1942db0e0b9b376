package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// VerifyFormat identifies the JSON form of Report.
const VerifyFormat = "sdlkit.ledger.verify/v1"

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// Unsealer verifies checkpoint bundles; without it checkpoints are
	// checked for their chain but their signatures are not verified.
	Unsealer Unsealer
	// Since is a checkpoint bundle an assessor kept: the ledger must still
	// hold its head in its history and the checkpoint in its chain.
	Since []byte
	// Commits, when set, checks every commit's signature: a commit that is
	// unsigned or signed by a key it does not allow is a problem.
	Commits CommitVerifier
	// CacheKey, when set, lets Verify start from the last clean
	// verification made with the same key (see verifyCache); it must
	// change whenever what the verification trusts changes (the catalog,
	// the keys, the identities). Empty means verify everything.
	CacheKey string
	// CacheSecret, when set, authenticates the cache (HMAC-SHA256): a
	// cache file not made with the same secret is not used. The cache lives
	// in the git directory, so without a secret whoever can write there can
	// forge one that names a rewritten head as verified; a secret kept
	// elsewhere (the command keeps one in the user's configuration
	// directory) closes that.
	CacheSecret []byte
	// Progress, when set, is called after each commit.
	Progress func(done, total int)
}

// CommitVerifier checks a commit's armored signature (the gpgsig header)
// over the commit encoded without it, and returns who signed. Verify calls
// it from several goroutines at once.
type CommitVerifier interface {
	Verify(payload []byte, signature string) (string, error)
}

// Report is what Verify found.
type Report struct {
	Format        string `json:"format"`
	Branch        string `json:"branch"`
	Head          string `json:"head"`
	Commits       int    `json:"commits"`
	Records       int    `json:"records"`
	EvidenceFiles int    `json:"evidence_files"`
	EvidenceBytes int64  `json:"evidence_bytes"`
	Checkpoints   int    `json:"checkpoints"`
	// SignedCommits counts the commits whose signature verified.
	SignedCommits int `json:"signed_commits"`
	// Verified lists the checkpoints whose signatures were verified, with
	// their signer.
	Verified []string `json:"verified_checkpoints,omitempty"`
	// Problems lists every failure, one line each; empty means the ledger
	// verified.
	Problems []string `json:"problems"`
	// Resumed names the head of the earlier clean verification this one
	// started from (see VerifyOptions.CacheKey); empty for a full one.
	Resumed string `json:"resumed_from,omitempty"`
	// Warnings are what verification could not check.
	Warnings []string `json:"warnings,omitempty"`
}

// OK reports whether the ledger verified.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

type verifier struct {
	l        *Ledger
	opts     VerifyOptions
	rep      *Report
	evidence map[string]int64 // digest → size of each evidence blob seen
	records  int
	lastSeq  int
	lastCP   string
	cpFiles  map[int]string // seq → bundle digest
	trees    *treeReader
	hashes   *evidenceHasher
}

// Verify checks the whole history of the ledger: every commit only adds
// files; every record is well-formed, names catalog requirements and
// evidence the tree holds; every evidence blob's SHA-256 is its name; the
// checkpoints chain; and, with opts.Since, that the history still holds the
// kept checkpoint. Failures are Problems in the report, not errors; an
// error means the ledger could not be read at all.
func (l *Ledger) Verify(ctx context.Context, opts VerifyOptions) (*Report, error) {
	head, err := l.Head()
	if err != nil {
		return nil, err
	}
	rep := &Report{Format: VerifyFormat, Branch: l.branch.Short(), Head: head.String(), Problems: []string{}}
	if head.IsZero() {
		return nil, fmt.Errorf("verify ledger %s: %w", l.loc, ErrNoLedger)
	}
	v := &verifier{l: l, opts: opts, rep: rep, evidence: map[string]int64{}, cpFiles: map[int]string{},
		trees: newTreeReader(l.readTree), hashes: newEvidenceHasher(ctx, l)}
	defer v.hashes.stop()
	chain, base, err := v.resume(ctx, head)
	if err != nil {
		return nil, err
	}
	if err := v.walk(ctx, chain, base); err != nil {
		return nil, err
	}
	rep.Commits += len(chain)
	rep.Records = v.records
	if opts.Since != nil {
		v.since(ctx, chain, base)
	}
	v.save(head)
	return rep, nil
}

// signature checks a commit's signature when a CommitVerifier is given.
func (v *verifier) signature(c *object.Commit) error {
	if v.opts.Commits == nil {
		return nil
	}
	if c.PGPSignature == "" {
		return errors.New("not signed")
	}
	enc := &plumbing.MemoryObject{}
	if err := c.EncodeWithoutSignature(enc); err != nil {
		return err
	}
	rd, err := enc.Reader()
	if err != nil {
		return err
	}
	payload, err := io.ReadAll(rd)
	rd.Close()
	if err != nil {
		return err
	}
	_, err = v.opts.Commits.Verify(payload, c.PGPSignature)
	return err
}

// signed counts a commit signed or reports why it is not, when a
// CommitVerifier is given.
func (v *verifier) signed(c *object.Commit, err error) {
	switch {
	case v.opts.Commits == nil:
	case err != nil:
		v.problem("commit %s: %v", c.Hash, err)
	default:
		v.rep.SignedCommits++
	}
}

func (v *verifier) problem(format string, args ...any) {
	v.rep.Problems = append(v.rep.Problems, lineBreaks.Replace(fmt.Sprintf(format, args...)))
}

// lineBreaks escapes the line breaks of what a problem quotes from the
// ledger or a package (a file name in a tree, a path or head in
// export.json), so that each problem stays one line and a crafted name
// cannot add lines to a report.
var lineBreaks = strings.NewReplacer("\r", `\r`, "\n", `\n`)

// firstParents returns the history from the root to head. A merge commit
// is a problem: a ledger's history is linear.
func (l *Ledger) firstParents(ctx context.Context, head plumbing.Hash, rep *Report) ([]*object.Commit, error) {
	var chain []*object.Commit
	for h := head; ; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c, err := l.commit(h)
		if err != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("commit %s: missing or unreadable: %v", h, err))
			break
		}
		chain = append(chain, c)
		if len(c.ParentHashes) > 1 {
			rep.Problems = append(rep.Problems, fmt.Sprintf("commit %s: a merge; a ledger's history is linear", h))
		}
		if len(c.ParentHashes) == 0 {
			break
		}
		h = c.ParentHashes[0]
	}
	slices.Reverse(chain)
	return chain, nil
}

// root checks the first commit: ledger.json and scope.json, nothing else.
func (v *verifier) root(c *object.Commit) {
	var changes []change
	if err := v.trees.diff(plumbing.ZeroHash, c.TreeHash, "", &changes); err != nil {
		v.problem("commit %s: %v", c.Hash, err)
		return
	}
	for _, path := range []string{infoPath, scopePath} {
		if !slices.ContainsFunc(changes, func(ch change) bool { return ch.path == path }) {
			v.problem("commit %s: the ledger's first commit has no %s", c.Hash, path)
		}
	}
	for _, ch := range changes {
		switch ch.path {
		case infoPath:
			data, err := v.l.readBlob(ch.to, 64<<10)
			var info Info
			if err != nil || json.Unmarshal(data, &info) != nil || info.Format != InfoFormat {
				v.problem("commit %s: %s is not a %s file", c.Hash, infoPath, InfoFormat)
			}
		case scopePath:
			data, err := v.l.readBlob(ch.to, MaxScopeSize)
			if err == nil {
				_, err = ParseScope(data, v.l.catalog)
			}
			if err != nil {
				v.problem("commit %s: %s: %v", c.Hash, scopePath, err)
			}
		default:
			v.problem("commit %s: unexpected file %s in the ledger's first commit", c.Hash, ch.path)
		}
	}
}

// commit checks one commit against its parent, from its facts: only
// additions, each of a kind the ledger knows.
func (v *verifier) commit(ctx context.Context, parent, c *object.Commit, f *commitFacts) {
	if f.err != nil {
		v.problem("commit %s: %v", c.Hash, f.err)
		return
	}
	var added []*Record
	for i, ch := range f.changes {
		if !ch.from.IsZero() {
			what := "changed"
			if ch.to.IsZero() {
				what = "deleted"
			}
			v.problem("commit %s: %s %s (a ledger only adds files)", c.Hash, ch.path, what)
			continue
		}
		if ch.toMode != filemode.Regular {
			v.problem("commit %s: %s is not a regular file (mode %s)", c.Hash, ch.path, ch.toMode)
			continue
		}
		switch a := f.added[i]; kindOf(ch.path) {
		case recordFile:
			if a.err != nil {
				v.problem("commit %s: %v", c.Hash, a.err)
				continue
			}
			added = append(added, a.record)
			v.records++
		case evidenceFile:
			v.evidenceBlob(c, ch, a.blob)
		case checkpointFile:
			v.checkpoint(ctx, parent, c, ch)
		default:
			v.problem("commit %s: unexpected file %s", c.Hash, ch.path)
		}
	}
	for _, r := range added {
		for _, f := range r.Evidence {
			size, ok := v.evidence[f.Digest]
			if !ok {
				size, ok = v.evidenceInTree(c, f.Digest)
			}
			switch {
			case !ok:
				v.problem("commit %s: record %s names evidence %s (%s) that the ledger does not hold", c.Hash, r.ID, f.Name, f.Digest)
			case size != f.Size:
				v.problem("commit %s: record %s: evidence %s is %d bytes, the record says %d", c.Hash, r.ID, f.Name, size, f.Size)
			}
		}
	}
}

// evidenceBlob waits for an added evidence blob's hash (see
// evidenceHasher). Records check their evidence's size against the size
// its header gives; a blob whose content is not that long fails its git
// hash.
func (v *verifier) evidenceBlob(c *object.Commit, ch change, b *blobCheck) {
	<-b.done
	if b.openErr != nil {
		v.problem("commit %s: %s: missing or unreadable blob: %v", c.Hash, ch.path, b.openErr)
		return
	}
	v.evidence["sha256:"+b.hex] = b.size
	if b.err != nil {
		v.problem("commit %s: %s: %v", c.Hash, ch.path, b.err)
		return
	}
	v.rep.EvidenceFiles++
	v.rep.EvidenceBytes += b.size
}

// checkpoint checks an added checkpoint: next in the chain, sealing the
// parent commit, its signature verified when an Unsealer is given.
func (v *verifier) checkpoint(ctx context.Context, parent, c *object.Commit, ch change) {
	seq, ok := checkpointSeq(ch.path)
	if !ok {
		v.problem("commit %s: unexpected file %s", c.Hash, ch.path)
		return
	}
	bundle, err := v.l.readBlob(ch.to, maxBundleSize)
	if err != nil {
		v.problem("commit %s: checkpoint %d: %v", c.Hash, seq, err)
		return
	}
	cp, signer, err := v.openCheckpoint(ctx, bundle)
	if err != nil {
		v.problem("commit %s: checkpoint %d: %v", c.Hash, seq, err)
		return
	}
	switch {
	case cp.Seq != seq || seq != v.lastSeq+1:
		v.problem("commit %s: checkpoint %d out of sequence (after %d)", c.Hash, cp.Seq, v.lastSeq)
	case cp.Previous != v.lastCP:
		v.problem("commit %s: checkpoint %d does not chain to checkpoint %d", c.Hash, cp.Seq, v.lastSeq)
	case cp.Head != parent.Hash.String():
		v.problem("commit %s: checkpoint %d seals %s, not the commit before it (%s)", c.Hash, cp.Seq, cp.Head, parent.Hash)
	case cp.Records != v.records:
		v.problem("commit %s: checkpoint %d counts %d records, the history holds %d", c.Hash, cp.Seq, cp.Records, v.records)
	}
	v.lastSeq, v.lastCP = seq, sha256Hex(bundle)
	v.cpFiles[seq] = v.lastCP
	v.rep.Checkpoints++
	if signer != "" {
		v.rep.Verified = append(v.rep.Verified, fmt.Sprintf("checkpoint %d signed by %s", seq, signer))
	}
}

// openCheckpoint verifies a bundle with the Unsealer, or without one reads
// its predicate unverified and says so.
func (v *verifier) openCheckpoint(ctx context.Context, bundle []byte) (*Checkpoint, string, error) {
	if v.opts.Unsealer == nil {
		pred, err := unverifiedPredicate(bundle)
		if err != nil {
			return nil, "", err
		}
		if len(v.rep.Warnings) == 0 {
			v.rep.Warnings = append(v.rep.Warnings, "checkpoint signatures not verified: give a key or an identity")
		}
		cp, err := parseCheckpoint(pred)
		return cp, "", err
	}
	pred, signer, err := v.opts.Unsealer.Unseal(ctx, bundle)
	if err != nil {
		return nil, "", err
	}
	cp, err := parseCheckpoint(pred)
	return cp, signer, err
}

// since checks a kept checkpoint against the history: its head must be on
// it, and the ledger's checkpoint of that number must be the same bundle.
func (v *verifier) since(ctx context.Context, chain []*object.Commit, base *object.Commit) {
	var cp *Checkpoint
	var err error
	if v.opts.Unsealer != nil {
		var pred []byte
		pred, _, err = v.opts.Unsealer.Unseal(ctx, v.opts.Since)
		if err == nil {
			cp, err = parseCheckpoint(pred)
		}
	} else {
		err = fmt.Errorf("a kept checkpoint needs a key or an identity to verify it")
	}
	if err != nil {
		v.problem("kept checkpoint: %v", err)
		return
	}
	onHistory := slices.ContainsFunc(chain, func(c *object.Commit) bool { return c.Hash.String() == cp.Head })
	if !onHistory && base != nil {
		onHistory = v.l.onFirstParents(ctx, base.Hash, plumbing.NewHash(cp.Head))
	}
	switch {
	case !onHistory:
		v.problem("kept checkpoint %d: its head %s is not in the ledger's history: the ledger was reset to an older state or its history rewritten", cp.Seq, cp.Head)
	case v.cpFiles[cp.Seq] == "":
		v.problem("kept checkpoint %d: the ledger's history holds no valid checkpoint %d: the checkpoint chain was rewritten", cp.Seq, cp.Seq)
	case v.cpFiles[cp.Seq] != sha256Hex(v.opts.Since):
		v.problem("kept checkpoint %d is not the ledger's checkpoint %d: the checkpoint chain was rewritten", cp.Seq, cp.Seq)
	}
}

// unverifiedPredicate reads a checkpoint bundle's predicate without
// checking its signature.
func unverifiedPredicate(bundle []byte) ([]byte, error) {
	var b struct {
		DSSE struct {
			Payload []byte `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		return nil, fmt.Errorf("not a Sigstore bundle: %w", err)
	}
	var st struct {
		PredicateType string          `json:"predicateType"`
		Predicate     json.RawMessage `json:"predicate"`
	}
	if err := json.Unmarshal(b.DSSE.Payload, &st); err != nil || st.PredicateType != CheckpointPredicateType {
		return nil, fmt.Errorf("not a checkpoint bundle (predicate type %q)", st.PredicateType)
	}
	return st.Predicate, nil
}
