package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/sdlkit/sdlkit/practices"
	"github.com/sdlkit/sdlkit/practices/ledger"
)

// baseCommits are the commits ledger.Init makes: the root (ledger.json,
// scope.json) and the scope record.
const baseCommits = 2

// step is one commit to replay: the files it adds and its metadata.
type step struct {
	files []addedFile
	msg   string
	env   []string // author and committer
	hash  plumbing.Hash
}

type addedFile struct {
	path string
	data []byte
}

// runGitCLI has the git command line make the commits a ledger append made
// (read from the ledger at -from before the clock starts): the same files,
// messages, authors and times, so the same commit hashes, which it checks.
//
// -mode plumbing (the default) takes the steps Append takes, one git
// process each: update-index --add (stores the record and its evidence as
// blobs and stages them), write-tree, commit-tree, update-ref with the old
// value (Append's compare-and-swap of the branch). Like Append it writes
// into the object store and moves the branch without a commit that
// refreshes a checkout; the index stands in for the trees Append edits in
// memory. That is the fair comparison of the work; it pays four process
// start-ups a record where Append pays none, which the per-process figure
// of 'sdlkit ledger record' puts beside it.
//
// -mode porcelain is what a script would run: write the files into a
// checkout of the ledger branch, 'git add' them, 'git commit'. Two
// processes a record, but every commit also refreshes the index against
// the checkout (an lstat of every file in it), so each commit costs more
// as the ledger grows: work Append never does, since it has no checkout.
//
// Both run with gc.auto=0, as sdlkit never packs either: each side leaves
// every object loose.
func runGitCLI(c *common, args []string) error {
	fl := c.flags()
	from := fl.String("from", "", "the ledger `DIR` whose commits are replayed")
	repo := fl.String("repo", "", "the repository `DIR` to create")
	n := fl.Int("n", 0, "records to replay (0: all)")
	mode := fl.String("mode", "plumbing", "plumbing (Append's steps) or porcelain (add + commit in a checkout)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *from == "" || *repo == "" || (*mode != "porcelain" && *mode != "plumbing") {
		return usageError("gitcli -from LEDGER -repo DIR [-n N] [-mode plumbing|porcelain]")
	}
	prep := time.Now()
	steps, product, err := readSteps(*from, *n)
	if err != nil {
		return err
	}
	g, err := newGitRepo(*repo, product, steps)
	if err != nil {
		return err
	}
	fmt.Printf("  read %d commits to replay and set up the checkout in %.1f s (not timed)\n", len(steps), time.Since(prep).Seconds())
	if err := c.start(); err != nil {
		return err
	}
	m := newMeter()
	every := max(1, len(steps)/10)
	lap, lapCPU := time.Now(), cpuTime()
	for i, s := range steps {
		var err error
		if *mode == "porcelain" {
			err = g.porcelain(s)
		} else {
			err = g.plumbing(s)
		}
		if err != nil {
			return fmt.Errorf("commit %d of %d: %w", i+1, len(steps), err)
		}
		if done := i + 1; done%every == 0 || done == len(steps) {
			k := min(every, done)
			fmt.Printf("  %7d commits: the last %d at %.2f ms/commit wall, %.2f ms/commit CPU (git's and ours)\n", done, k,
				ms(time.Since(lap))/float64(k), ms(cpuTime()-lapCPU)/float64(k))
			lap, lapCPU = time.Now(), cpuTime()
		}
	}
	res := m.result(fmt.Sprintf("git %s %d", *mode, len(steps)), len(steps), 0)
	head, err := g.out(nil, "", "rev-parse", "refs/heads/"+ledger.DefaultBranch)
	if err != nil {
		return err
	}
	want := steps[len(steps)-1].hash.String()
	if strings.TrimSpace(head) != want {
		return fmt.Errorf("git made %s, the ledger holds %s: not the same commits", strings.TrimSpace(head), want)
	}
	fmt.Printf("  same head as the ledger: %s\n", want)
	return c.report(res)
}

// readSteps reads the first n commits after the base of the ledger at dir.
func readSteps(dir string, n int) ([]step, string, error) {
	cat, err := practices.Builtin()
	if err != nil {
		return nil, "", err
	}
	l, err := ledger.Open(ledger.Location{Repo: dir}, cat)
	if err != nil {
		return nil, "", err
	}
	info, err := l.Info()
	if err != nil {
		return nil, "", err
	}
	r, err := git.PlainOpen(dir)
	if err != nil {
		return nil, "", err
	}
	head, err := l.Head()
	if err != nil {
		return nil, "", err
	}
	var chain []*object.Commit
	for h := head; ; {
		c, err := r.CommitObject(h)
		if err != nil {
			return nil, "", err
		}
		chain = append(chain, c)
		if len(c.ParentHashes) == 0 {
			break
		}
		h = c.ParentHashes[0]
	}
	if len(chain) <= baseCommits {
		return nil, "", fmt.Errorf("ledger %s has no records to replay", dir)
	}
	if n == 0 || n > len(chain)-baseCommits {
		n = len(chain) - baseCommits
	}
	steps := make([]step, n)
	for i := range n {
		c := chain[len(chain)-baseCommits-1-i]
		s, err := readStep(r, c)
		if err != nil {
			return nil, "", fmt.Errorf("commit %s: %w", c.Hash, err)
		}
		steps[i] = s
	}
	return steps, info.Product, nil
}

func readStep(r *git.Repository, c *object.Commit) (step, error) {
	parent, err := c.Parent(0)
	if err != nil {
		return step{}, err
	}
	s := step{msg: c.Message, hash: c.Hash, env: identEnv(c)}
	if err := added(r, parent.TreeHash, c.TreeHash, "", &s.files); err != nil {
		return step{}, err
	}
	return s, nil
}

// added appends the files tree b adds to tree a, descending only into
// subtrees whose hashes differ (go-git's DiffTree reads whole trees).
func added(r *git.Repository, a, b plumbing.Hash, prefix string, out *[]addedFile) error {
	old := map[string]object.TreeEntry{}
	if !a.IsZero() {
		ta, err := r.TreeObject(a)
		if err != nil {
			return err
		}
		for _, e := range ta.Entries {
			old[e.Name] = e
		}
	}
	tb, err := r.TreeObject(b)
	if err != nil {
		return err
	}
	for _, e := range tb.Entries {
		o, had := old[e.Name]
		switch {
		case had && o.Hash == e.Hash:
		case e.Mode == filemode.Dir:
			var from plumbing.Hash
			if had {
				from = o.Hash
			}
			if err := added(r, from, e.Hash, prefix+e.Name+"/", out); err != nil {
				return err
			}
		case had:
			return fmt.Errorf("%s%s changed: not an append", prefix, e.Name)
		default:
			data, err := blob(r, e.Hash)
			if err != nil {
				return err
			}
			*out = append(*out, addedFile{path: prefix + e.Name, data: data})
		}
	}
	return nil
}

func blob(r *git.Repository, h plumbing.Hash) ([]byte, error) {
	b, err := r.BlobObject(h)
	if err != nil {
		return nil, err
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(rd)
	return buf.Bytes(), err
}

func identEnv(c *object.Commit) []string {
	date := func(s object.Signature) string { return fmt.Sprintf("%d %s", s.When.Unix(), s.When.Format("-0700")) }
	return []string{
		"GIT_AUTHOR_NAME=" + c.Author.Name, "GIT_AUTHOR_EMAIL=" + c.Author.Email, "GIT_AUTHOR_DATE=" + date(c.Author),
		"GIT_COMMITTER_NAME=" + c.Committer.Name, "GIT_COMMITTER_EMAIL=" + c.Committer.Email, "GIT_COMMITTER_DATE=" + date(c.Committer),
	}
}

// gitRepo is the git side: a checkout of the ledger branch.
type gitRepo struct {
	dir  string
	env  []string
	head string
}

// newGitRepo makes a repository with the same base commits as the ledger
// (ledger.Init with the same product, actor and time) and checks the
// ledger branch out.
func newGitRepo(dir, product string, steps []step) (*gitRepo, error) {
	g := &gitRepo{dir: dir, env: append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "LC_ALL=C")}
	if _, err := g.out(nil, "", "init", "-q", dir); err != nil {
		return nil, err
	}
	if _, err := initLedger(context.Background(), dir, product); err != nil {
		return nil, err
	}
	for _, kv := range [][2]string{{"gc.auto", "0"}, {"commit.gpgSign", "false"}, {"user.useConfigOnly", "false"}} {
		if _, err := g.out(nil, "", "config", kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	if _, err := g.out(nil, "", "symbolic-ref", "HEAD", "refs/heads/"+ledger.DefaultBranch); err != nil {
		return nil, err
	}
	if _, err := g.out(nil, "", "reset", "-q", "--hard"); err != nil {
		return nil, err
	}
	head, err := g.out(nil, "", "rev-parse", "HEAD")
	if err != nil {
		return nil, err
	}
	g.head = strings.TrimSpace(head)
	return g, nil
}

// out runs git in the repository and returns its stdout.
func (g *gitRepo) out(env []string, stdin string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	if args[0] != "init" {
		cmd.Dir = g.dir
	}
	cmd.Env = append(g.env, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// write puts a step's files into the work tree and returns their paths.
func (g *gitRepo) write(s step) ([]string, error) {
	paths := make([]string, len(s.files))
	for i, f := range s.files {
		p := filepath.Join(g.dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return nil, err
		}
		paths[i] = f.path
	}
	return paths, nil
}

func (g *gitRepo) porcelain(s step) error {
	paths, err := g.write(s)
	if err != nil {
		return err
	}
	if _, err := g.out(nil, "", append([]string{"add", "--"}, paths...)...); err != nil {
		return err
	}
	_, err = g.out(s.env, s.msg, "commit", "-q", "--no-verify", "--cleanup=verbatim", "-F", "-")
	return err
}

func (g *gitRepo) plumbing(s step) error {
	paths, err := g.write(s)
	if err != nil {
		return err
	}
	if _, err := g.out(nil, "", append([]string{"update-index", "--add", "--"}, paths...)...); err != nil {
		return err
	}
	tree, err := g.out(nil, "", "write-tree")
	if err != nil {
		return err
	}
	commit, err := g.out(s.env, s.msg, "commit-tree", strings.TrimSpace(tree), "-p", g.head, "-F", "-")
	if err != nil {
		return err
	}
	commit = strings.TrimSpace(commit)
	if _, err := g.out(nil, "", "update-ref", "refs/heads/"+ledger.DefaultBranch, commit, g.head); err != nil {
		return err
	}
	g.head = commit
	return nil
}
