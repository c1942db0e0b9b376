package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"
)

// tamperFixture is a small clean ledger and the means to tamper with it as
// someone with write access to the repository would: write objects, trees
// and commits, and move the branch.
type tamperFixture struct {
	l   *Ledger
	w   *Writer
	key *testKey
	// recs are r1, r2 and r3 as appended, each with one evidence file.
	recs []Record
	// cp1 is the first checkpoint, sealing the commit of r2.
	cp1 *SealedCheckpoint
	// order names the commits from the root; commits holds their hashes.
	order   []string
	commits map[string]plumbing.Hash
}

// newTamperFixture builds init, r1, r2, checkpoint 1, r3 and checks that
// the ledger verifies before any test tampers with it.
func newTamperFixture(t *testing.T) *tamperFixture {
	t.Helper()
	ctx := context.Background()
	l := newTestLedger(t)
	f := &tamperFixture{l: l, w: &Writer{Ledger: l, Now: clock()}, key: newTestKey("ledger"), commits: map[string]plumbing.Hash{}}
	f.mark(t, "init")
	dir := t.TempDir()
	entries := []Entry{
		{Record: Record{Actor: "ci", Version: "1.0.0", Requirements: []string{"SVV-3"}, Kind: "vuln-scan", Summary: "scan"},
			Files: []string{writeFile(t, dir, "scan.sarif", `{"runs":[]}`)}},
		{Record: Record{Actor: "ci", Version: "1.0.0", Requirements: []string{"SM-7"}, Kind: "sbom", Summary: "sbom"},
			Files: []string{writeFile(t, dir, "app.cdx.json", `{"bomFormat":"CycloneDX"}`)}},
		{Record: Record{Actor: "Ada <ada@example.com>", Requirements: []string{"SR-2"}, Kind: "threat-model", Summary: "threat model"},
			Files: []string{writeFile(t, dir, "threat-model.md", "# Threats\n")}},
	}
	for i, e := range entries {
		recs, err := f.w.Append(ctx, []Entry{e})
		if err != nil {
			t.Fatal(err)
		}
		f.recs = append(f.recs, recs[0])
		f.mark(t, "r"+string(rune('1'+i)))
		if i == 1 {
			cp, err := f.w.Checkpoint(ctx, f.key)
			if err != nil {
				t.Fatal(err)
			}
			f.cp1 = cp
			f.mark(t, "cp1")
		}
	}
	rep, err := l.Verify(ctx, VerifyOptions{Unsealer: f.key.Unsealer(), Since: f.cp1.Bundle})
	if err != nil || !rep.OK() {
		t.Fatalf("the fixture does not verify: %v %q", err, rep.Problems)
	}
	return f
}

// mark names the current head.
func (f *tamperFixture) mark(t *testing.T, name string) {
	f.order = append(f.order, name)
	f.commits[name] = f.head(t)
}

// head returns the branch's commit.
func (f *tamperFixture) head(t *testing.T) plumbing.Hash {
	t.Helper()
	h, err := f.l.Head()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// setHead points the branch at h, as "git update-ref" would.
func (f *tamperFixture) setHead(t *testing.T, h plumbing.Hash) {
	t.Helper()
	if err := f.l.repo.Storer.SetReference(plumbing.NewHashReference(f.l.branch, h)); err != nil {
		t.Fatal(err)
	}
}

// blob stores data and returns its hash.
func (f *tamperFixture) blob(t *testing.T, data string) plumbing.Hash {
	t.Helper()
	h, err := f.l.writeBlob([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// tree returns the tree of commit h.
func (f *tamperFixture) tree(t *testing.T, h plumbing.Hash) plumbing.Hash {
	t.Helper()
	c, err := f.l.commit(h)
	if err != nil {
		t.Fatal(err)
	}
	return c.TreeHash
}

// blobAt returns the blob at path in commit h's tree.
func (f *tamperFixture) blobAt(t *testing.T, h plumbing.Hash, path string) plumbing.Hash {
	t.Helper()
	c, err := f.l.commit(h)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := c.Tree()
	if err != nil {
		t.Fatal(err)
	}
	e, err := tr.FindEntry(path)
	if err != nil {
		t.Fatalf("%s in %s: %v", path, h, err)
	}
	return e.Hash
}

// files returns the paths and blobs that r's commit added: its record and
// its evidence.
func (f *tamperFixture) files(t *testing.T, r Record) map[string]plumbing.Hash {
	t.Helper()
	head := f.head(t)
	out := map[string]plumbing.Hash{RecordPath(r.ID): f.blobAt(t, head, RecordPath(r.ID))}
	for _, e := range r.Evidence {
		out[EvidencePath(e.Digest)] = f.blobAt(t, head, EvidencePath(e.Digest))
	}
	return out
}

// edit returns tree with edits applied: each path set to a blob, or
// removed when its hash is zero.
func (f *tamperFixture) edit(t *testing.T, tree plumbing.Hash, edits map[string]plumbing.Hash) plumbing.Hash {
	t.Helper()
	h, err := rewriteTree(f.l, tree, edits)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// rewriteTree applies edits to the tree root (zero: an empty tree) and
// returns the new tree, zero when it ends up empty.
func rewriteTree(l *Ledger, root plumbing.Hash, edits map[string]plumbing.Hash) (plumbing.Hash, error) {
	old, err := treeEntries(l.storage, root)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	entries := slices.Clone(old)
	sub := map[string]map[string]plumbing.Hash{}
	for path, h := range edits {
		if dir, rest, nested := strings.Cut(path, "/"); nested {
			if sub[dir] == nil {
				sub[dir] = map[string]plumbing.Hash{}
			}
			sub[dir][rest] = h
			continue
		}
		entries = setEntry(entries, object.TreeEntry{Name: path, Mode: filemode.Regular, Hash: h})
	}
	for dir, e := range sub {
		var cur plumbing.Hash
		if te := findEntry(entries, dir); te != nil && te.Mode == filemode.Dir {
			cur = te.Hash
		}
		h, err := rewriteTree(l, cur, e)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entries = setEntry(entries, object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: h})
	}
	if len(entries) == 0 {
		return plumbing.ZeroHash, nil
	}
	sortTreeEntries(entries)
	obj := l.storage.NewEncodedObject()
	if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return l.storage.SetEncodedObject(obj)
}

// setEntry replaces or adds the entry named e.Name, or removes it when
// e.Hash is zero.
func setEntry(entries []object.TreeEntry, e object.TreeEntry) []object.TreeEntry {
	entries = slices.DeleteFunc(entries, func(x object.TreeEntry) bool { return x.Name == e.Name })
	if e.Hash.IsZero() {
		return entries
	}
	return append(entries, e)
}

// commit writes a commit of tree with parents.
func (f *tamperFixture) commit(t *testing.T, tree plumbing.Hash, parents ...plumbing.Hash) plumbing.Hash {
	t.Helper()
	h, err := f.w.writeCommit(tree, parents, "tamper\n", "Mallory <mallory@example.com>", t0.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// addCommit commits the head's tree with edits on the head and moves the
// branch to it: a later commit that changes what the ledger holds.
func (f *tamperFixture) addCommit(t *testing.T, edits map[string]plumbing.Hash) {
	t.Helper()
	head := f.head(t)
	f.setHead(t, f.commit(t, f.edit(t, f.tree(t, head), edits), head))
}

// rewriteFrom re-commits the history from the commit named from on, with
// edits applied to every tree, and moves the branch to the result: a
// tamper hidden in the commit that added a file.
func (f *tamperFixture) rewriteFrom(t *testing.T, from string, edits map[string]plumbing.Hash) {
	t.Helper()
	i := slices.Index(f.order, from)
	var parents []plumbing.Hash
	if i > 0 {
		parents = []plumbing.Hash{f.commits[f.order[i-1]]}
	}
	for _, name := range f.order[i:] {
		parents = []plumbing.Hash{f.commit(t, f.edit(t, f.tree(t, f.commits[name]), edits), parents...)}
	}
	f.setHead(t, parents[0])
}

// checkpoint2 seals cp as checkpoint 2 with key and commits it on the head;
// the fields a test leaves zero are those a correct checkpoint 2 has.
func (f *tamperFixture) checkpoint2(t *testing.T, key *testKey, cp Checkpoint) {
	t.Helper()
	head := f.head(t)
	def := Checkpoint{Format: CheckpointFormat, Seq: 2, Branch: DefaultBranch, Head: head.String(),
		Previous: sha256Hex(f.cp1.Bundle), Records: 3, Product: "app", Time: t0.Add(48 * time.Hour)}
	if cp.Head == "" {
		cp.Head = def.Head
	}
	if cp.Previous == "" {
		cp.Previous = def.Previous
	}
	if cp.Records == 0 {
		cp.Records = def.Records
	}
	cp.Format, cp.Seq, cp.Branch, cp.Product, cp.Time = def.Format, def.Seq, def.Branch, def.Product, def.Time
	f.addCommit(t, map[string]plumbing.Hash{checkpointPath(2): f.blob(t, string(key.sealCheckpoint(t, cp)))})
}

// validRecord completes r into a record that passes every check of its
// own, and returns it with its file content.
func validRecord(t *testing.T, r Record) (Record, string) {
	t.Helper()
	r.Format, r.Time, r.Product = RecordFormat, t0.Add(3*time.Hour), "app"
	id, err := computeID(r)
	if err != nil {
		t.Fatal(err)
	}
	r.ID = id
	data, err := r.encode()
	if err != nil {
		t.Fatal(err)
	}
	return r, string(data)
}

// digestOf returns the "sha256:<hex>" of s.
func digestOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// runGit runs the git binary on the ledger's repository with env added and
// returns its trimmed standard output. A missing git fails the test: the
// tests mirror what an attacker does with git, and check git reads the
// ledger.
func runGit(t testing.TB, gitDir string, env []string, args ...string) string {
	t.Helper()
	return runGitInput(t, gitDir, env, "", args...)
}

// runGitInput is runGit with stdin as the command's standard input.
func runGitInput(t testing.TB, gitDir string, env []string, stdin string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("these tests need the git binary: %v", err)
	}
	cmd := exec.Command("git", append([]string{"-C", gitDir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=Mallory", "GIT_AUTHOR_EMAIL=mallory@example.com",
		"GIT_COMMITTER_NAME=Mallory", "GIT_COMMITTER_EMAIL=mallory@example.com")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// gitCommitEdits commits the head's tree with index-info lines applied
// (git update-index --index-info: "<mode> <hash>\t<path>", mode 0 to
// remove) on the head with git plumbing, and moves the branch with
// git update-ref.
func (f *tamperFixture) gitCommitEdits(t *testing.T, indexInfo string) {
	t.Helper()
	dir := f.l.GitDir()
	idx := []string{"GIT_INDEX_FILE=" + t.TempDir() + "/index"}
	head := runGit(t, dir, nil, "rev-parse", f.l.branch.String())
	runGit(t, dir, idx, "read-tree", head)
	runGitInput(t, dir, idx, indexInfo, "update-index", "--index-info")
	tree := runGit(t, dir, idx, "write-tree")
	commit := runGit(t, dir, nil, "commit-tree", tree, "-p", head, "-m", "tamper with git")
	runGit(t, dir, nil, "update-ref", f.l.branch.String(), commit, head)
}

// tamperCase is one way to tamper with a ledger and the problem Verify must
// report.
type tamperCase struct {
	name string
	// tamper changes the fixture's ledger and returns the options to
	// verify it with and the words one problem must hold, all of them.
	tamper func(t *testing.T, f *tamperFixture) (VerifyOptions, []string)
	// onlySince: the tamper leaves a history that verifies on its own;
	// only the kept checkpoint in the options reveals it.
	onlySince bool
}

var tamperCases = []tamperCase{
	{name: "evidence blob replaced by a later commit", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		p := EvidencePath(f.recs[0].Evidence[0].Digest)
		f.addCommit(t, map[string]plumbing.Hash{p: f.blob(t, `{"runs":["forged"]}`)})
		return VerifyOptions{}, []string{p + " changed", "a ledger only adds files"}
	}},
	{name: "evidence blob swapped in the commit that added it", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		p := EvidencePath(f.recs[0].Evidence[0].Digest)
		f.rewriteFrom(t, "r1", map[string]plumbing.Hash{p: f.blob(t, `{"runs":["forged"]}`)})
		return VerifyOptions{}, []string{": " + p + ": content has SHA-256 " + digestOf(`{"runs":["forged"]}`)[7:]}
	}},
	{name: "first commit without scope.json", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		f.rewriteFrom(t, "init", map[string]plumbing.Hash{scopePath: plumbing.ZeroHash})
		return VerifyOptions{}, []string{"the ledger's first commit has no scope.json"}
	}},
	{name: "record deleted", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		p := RecordPath(f.recs[1].ID)
		f.addCommit(t, map[string]plumbing.Hash{p: plumbing.ZeroHash})
		return VerifyOptions{}, []string{p + " deleted"}
	}},
	{name: "record edited", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		r := f.recs[0]
		r.Summary = "scan: no findings"
		data, err := r.encode()
		if err != nil {
			t.Fatal(err)
		}
		f.addCommit(t, map[string]plumbing.Hash{RecordPath(r.ID): f.blob(t, string(data))})
		return VerifyOptions{}, []string{RecordPath(r.ID) + " changed"}
	}},
	{name: "record edited in the commit that added it", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		r := f.recs[0]
		r.Summary = "scan: no findings"
		data, err := r.encode()
		if err != nil {
			t.Fatal(err)
		}
		f.rewriteFrom(t, "r1", map[string]plumbing.Hash{RecordPath(r.ID): f.blob(t, string(data))})
		return VerifyOptions{}, []string{RecordPath(r.ID), "id " + r.ID + " does not match the record's content"}
	}},
	{name: "record edited into invalid JSON", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		p := RecordPath(f.recs[2].ID)
		f.addCommit(t, map[string]plumbing.Hash{p: f.blob(t, `{"format":`)})
		return VerifyOptions{}, []string{p + " changed"}
	}},
	{name: "record invalid JSON in the commit that added it", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		p := RecordPath(f.recs[2].ID)
		f.rewriteFrom(t, "r3", map[string]plumbing.Hash{p: f.blob(t, `{"format":`)})
		return VerifyOptions{}, []string{p, "invalid record", "unexpected EOF"}
	}},
	{name: "record names a blob the tree does not hold", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		r, data := validRecord(t, Record{Actor: "ci", Requirements: []string{"SM-7"}, Kind: "sbom",
			Evidence: []File{{Name: "app.cdx.json", MediaType: "application/json", Size: 3, Digest: digestOf("abc")}}})
		f.addCommit(t, map[string]plumbing.Hash{RecordPath(r.ID): f.blob(t, data)})
		return VerifyOptions{}, []string{"record " + r.ID + " names evidence app.cdx.json (" + digestOf("abc") + ") that the ledger does not hold"}
	}},
	{name: "record gives an evidence size that is not the blob's", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		ev := f.recs[0].Evidence[0]
		ev.Size++
		r, data := validRecord(t, Record{Actor: "ci", Requirements: []string{"SVV-3"}, Kind: "vuln-scan", Evidence: []File{ev}})
		f.addCommit(t, map[string]plumbing.Hash{RecordPath(r.ID): f.blob(t, data)})
		return VerifyOptions{}, []string{"record " + r.ID, "the record says 12"}
	}},
	{name: "record filed under another record's id", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		r, data := validRecord(t, Record{Actor: "ci", Requirements: []string{"SM-7"}, Kind: "sbom"})
		other := strings.Repeat("ab", 12)
		f.addCommit(t, map[string]plumbing.Hash{RecordPath(other): f.blob(t, data)})
		return VerifyOptions{}, []string{RecordPath(other), "file name does not match id " + r.ID}
	}},
	{name: "unexpected file added", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		f.addCommit(t, map[string]plumbing.Hash{"notes.txt": f.blob(t, "hello")})
		return VerifyOptions{}, []string{"unexpected file notes.txt"}
	}},
	{name: "unexpected file whose name breaks the line", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		f.addCommit(t, map[string]plumbing.Hash{"notes\nverified: ok": f.blob(t, "hello")})
		return VerifyOptions{}, []string{`unexpected file notes\nverified: ok`}
	}},
	{name: "evidence under a name that is not a digest", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		f.addCommit(t, map[string]plumbing.Hash{"evidence/sha256/ab/abc": f.blob(t, "hello")})
		return VerifyOptions{}, []string{"unexpected file evidence/sha256/ab/abc"}
	}},
	{name: "checkpoint under a name that is not a checkpoint's", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		f.addCommit(t, map[string]plumbing.Hash{"checkpoints/2.json": f.blob(t, string(f.cp1.Bundle))})
		return VerifyOptions{}, []string{"unexpected file checkpoints/2.json"}
	}},
	{name: "merge commit", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		head := f.head(t)
		m := f.commit(t, f.tree(t, head), head, f.commits["r1"])
		f.setHead(t, m)
		return VerifyOptions{}, []string{"commit " + m.String() + ": a merge"}
	}},
	{name: "history reset to an older commit and rewritten", onlySince: true, tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		f.setHead(t, f.commits["r1"])
		if _, err := f.w.Append(context.Background(), []Entry{{Record: Record{Actor: "ci", Requirements: []string{"SM-7"}, Kind: "sbom", Summary: "another sbom"}}}); err != nil {
			t.Fatal(err)
		}
		return VerifyOptions{Unsealer: f.key.Unsealer(), Since: f.cp1.Bundle},
			[]string{"kept checkpoint 1: its head " + f.commits["r2"].String() + " is not in the ledger's history"}
	}},
	{name: "records reordered", onlySince: true, tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		h := f.commits["init"]
		tree := f.tree(t, h)
		for _, i := range []int{1, 0, 2} {
			tree = f.edit(t, tree, f.files(t, f.recs[i]))
			h = f.commit(t, tree, h)
		}
		f.setHead(t, h)
		return VerifyOptions{Unsealer: f.key.Unsealer(), Since: f.cp1.Bundle}, []string{"kept checkpoint 1", "not in the ledger's history"}
	}},
	{name: "records reordered and the checkpoint replayed", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		h := f.commits["init"]
		tree := f.tree(t, h)
		for _, i := range []int{1, 0} {
			tree = f.edit(t, tree, f.files(t, f.recs[i]))
			h = f.commit(t, tree, h)
		}
		tree = f.edit(t, tree, map[string]plumbing.Hash{checkpointPath(1): f.blob(t, string(f.cp1.Bundle))})
		f.setHead(t, f.commit(t, tree, h))
		return VerifyOptions{Unsealer: f.key.Unsealer()}, []string{"checkpoint 1 seals " + f.commits["r2"].String() + ", not the commit before it (" + h.String() + ")"}
	}},
	{name: "checkpoint dropped from the history", onlySince: true, tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		f.setHead(t, f.commit(t, f.edit(t, f.tree(t, f.commits["r3"]), map[string]plumbing.Hash{checkpointPath(1): plumbing.ZeroHash}), f.commits["r2"]))
		return VerifyOptions{Unsealer: f.key.Unsealer(), Since: f.cp1.Bundle}, []string{"kept checkpoint 1: the ledger's history holds no valid checkpoint 1"}
	}},
	{name: "checkpoint chain broken", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		f.checkpoint2(t, f.key, Checkpoint{Previous: digestOf("another checkpoint")})
		return VerifyOptions{Unsealer: f.key.Unsealer()}, []string{"checkpoint 2 does not chain to checkpoint 1"}
	}},
	{name: "checkpoint seals the wrong head", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		f.checkpoint2(t, f.key, Checkpoint{Head: f.commits["r2"].String()})
		return VerifyOptions{Unsealer: f.key.Unsealer()}, []string{"checkpoint 2 seals " + f.commits["r2"].String() + ", not the commit before it"}
	}},
	{name: "checkpoint counts the wrong records", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		f.checkpoint2(t, f.key, Checkpoint{Records: 7})
		return VerifyOptions{Unsealer: f.key.Unsealer()}, []string{"checkpoint 2 counts 7 records, the history holds 4"}
	}},
	{name: "checkpoint signed by another key", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		f.checkpoint2(t, newTestKey("mallory"), Checkpoint{})
		return VerifyOptions{Unsealer: f.key.Unsealer()}, []string{"checkpoint 2:", errBadSignature.Error()}
	}},
	{name: "kept checkpoint signed by another key", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		forged := newTestKey("mallory").sealCheckpoint(t, f.cp1.Checkpoint)
		return VerifyOptions{Unsealer: f.key.Unsealer(), Since: forged}, []string{"kept checkpoint:", errBadSignature.Error()}
	}},
	{name: "kept checkpoint without a key to verify it", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		return VerifyOptions{Since: f.cp1.Bundle}, []string{"kept checkpoint:", "needs a key or an identity"}
	}},
	// The same tampering done with the git binary's plumbing, as an
	// attacker with git and write access to the repository would.
	{name: "git: record deleted", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		p := RecordPath(f.recs[0].ID)
		f.gitCommitEdits(t, "0 "+plumbing.ZeroHash.String()+"\t"+p+"\n")
		return VerifyOptions{}, []string{p + " deleted"}
	}},
	{name: "git: evidence blob replaced", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		p := EvidencePath(f.recs[1].Evidence[0].Digest)
		blob := runGitInput(t, f.l.GitDir(), nil, `{"bomFormat":"forged"}`, "hash-object", "-w", "--stdin")
		f.gitCommitEdits(t, "100644 "+blob+"\t"+p+"\n")
		return VerifyOptions{}, []string{p + " changed"}
	}},
	{name: "git: merge commit", tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		dir, ref := f.l.GitDir(), f.l.branch.String()
		m := runGit(t, dir, nil, "commit-tree", ref+"^{tree}", "-p", ref, "-p", f.commits["r1"].String(), "-m", "merge")
		runGit(t, dir, nil, "update-ref", ref, m)
		return VerifyOptions{}, []string{"commit " + m + ": a merge"}
	}},
	{name: "git: branch reset and rewritten", onlySince: true, tamper: func(t *testing.T, f *tamperFixture) (VerifyOptions, []string) {
		dir, ref := f.l.GitDir(), f.l.branch.String()
		runGit(t, dir, nil, "update-ref", ref, f.commits["r1"].String())
		// r2 again, in a commit of the attacker's: same tree, new history.
		c := runGit(t, dir, nil, "commit-tree", f.commits["r2"].String()+"^{tree}", "-p", ref, "-m", "r2 again")
		runGit(t, dir, nil, "update-ref", ref, c)
		return VerifyOptions{Unsealer: f.key.Unsealer(), Since: f.cp1.Bundle}, []string{"kept checkpoint 1", "not in the ledger's history"}
	}},
}

func TestVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	for _, tc := range tamperCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newTamperFixture(t)
			opts, want := tc.tamper(t, f)
			l, err := Open(f.l.loc, f.l.catalog)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := l.Verify(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(rep.Problems, func(p string) bool { return containsAll(p, want) }) {
				t.Fatalf("no problem says %q; problems:\n%s", want, strings.Join(rep.Problems, "\n"))
			}
			t.Logf("problems:\n%s", strings.Join(rep.Problems, "\n"))
			if tc.onlySince {
				opts.Since = nil
				rep, err := l.Verify(ctx, opts)
				if err != nil || !rep.OK() {
					t.Fatalf("without the kept checkpoint: %v %q; the tamper was meant to leave a history that verifies alone", err, rep.Problems)
				}
			}
		})
	}
}

// containsAll reports whether s holds every one of words.
func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

func TestVerifyCleanLedgerWithCheckpoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newTamperFixture(t)
	cp2, err := f.w.Checkpoint(ctx, f.key)
	if err != nil {
		t.Fatal(err)
	}
	if cp2.Checkpoint.Previous != sha256Hex(f.cp1.Bundle) || cp2.Checkpoint.Head != f.commits["r3"].String() || cp2.Checkpoint.Records != 4 {
		t.Fatalf("checkpoint 2: %+v", cp2.Checkpoint)
	}
	for _, tc := range []struct {
		name string
		opts VerifyOptions
		want Report
	}{
		{name: "with the key", opts: VerifyOptions{Unsealer: f.key.Unsealer()}, want: Report{
			Verified: []string{"checkpoint 1 signed by " + f.key.signer(), "checkpoint 2 signed by " + f.key.signer()}}},
		{name: "since checkpoint 1", opts: VerifyOptions{Unsealer: f.key.Unsealer(), Since: f.cp1.Bundle}, want: Report{
			Verified: []string{"checkpoint 1 signed by " + f.key.signer(), "checkpoint 2 signed by " + f.key.signer()}}},
		{name: "since checkpoint 2", opts: VerifyOptions{Unsealer: f.key.Unsealer(), Since: cp2.Bundle}, want: Report{
			Verified: []string{"checkpoint 1 signed by " + f.key.signer(), "checkpoint 2 signed by " + f.key.signer()}}},
		{name: "without a key", opts: VerifyOptions{}, want: Report{
			Warnings: []string{"checkpoint signatures not verified: give a key or an identity"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := f.l.Verify(ctx, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			want.Format, want.Branch, want.Head = VerifyFormat, DefaultBranch, cp2.Commit
			// Init's commit, its SM-5 scope record, three records and two
			// checkpoints; the scope is evidence too.
			want.Commits, want.Records, want.EvidenceFiles, want.EvidenceBytes, want.Checkpoints = 7, 4, 4, 11+25+10+scopeSize(t, f.l), 2
			want.Problems = []string{}
			if diff := cmp.Diff(&want, rep); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
}

// scopeSize is the size of the scope file Init recorded as SM-5 evidence.
func scopeSize(t *testing.T, l *Ledger) int64 {
	t.Helper()
	sums, _, err := l.Summaries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sums {
		if s.Kind == "scope-record" {
			recs, err := l.Records(context.Background(), []Summary{s})
			if err != nil {
				t.Fatal(err)
			}
			return recs[0].Evidence[0].Size
		}
	}
	t.Fatal("no scope record")
	return 0
}
