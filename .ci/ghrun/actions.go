package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// An action's local equivalent: what it does to the job's workspace and
// files, without the network. Each checks its with: inputs against the
// action's own (listed from its action.yml at the pinned version), so a
// misspelt input fails here as it would be ignored there.
type action struct {
	inputs []string
	run    func(ctx context.Context, j *job, with map[string]string, f stepFiles) error
}

// remoteActions are the actions ghrun knows, by owner/repo[/path], with the
// inputs of the versions the workflows pin (checkout v7.0.1,
// upload-artifact v7.0.0, download-artifact v8.0.1, codeql-action v4.36.2).
// A step using any other action fails: add its equivalent here first.
var remoteActions = map[string]action{
	"actions/checkout": {
		inputs: []string{"repository", "ref", "token", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user",
			"persist-credentials", "path", "clean", "filter", "sparse-checkout", "sparse-checkout-cone-mode",
			"fetch-depth", "fetch-tags", "show-progress", "lfs", "submodules", "set-safe-directory", "github-server-url",
			"allow-unsafe-pr-checkout"},
		run: checkout,
	},
	"actions/upload-artifact": {
		inputs: []string{"name", "path", "if-no-files-found", "retention-days", "compression-level", "overwrite",
			"include-hidden-files", "archive"},
		run: uploadArtifact,
	},
	"actions/download-artifact": {
		inputs: []string{"name", "artifact-ids", "path", "pattern", "merge-multiple", "github-token", "repository",
			"run-id", "skip-decompress", "digest-mismatch"},
		run: downloadArtifact,
	},
	"github/codeql-action/upload-sarif": {
		inputs: []string{"sarif_file", "checkout_path", "ref", "sha", "token", "matrix", "category",
			"wait-for-processing"},
		run: uploadSarif,
	},
}

var pinnedRef = regexp.MustCompile(`^[0-9a-f]{40}$`)

// runAction runs a uses: step's local equivalent.
func (j *job) runAction(ctx context.Context, ec *evalContext, s *Step, f stepFiles) error {
	if strings.HasPrefix(s.Uses, "./") {
		return j.runLocalAction(ctx, ec, s, f)
	}
	name, ref, ok := strings.Cut(s.Uses, "@")
	if !ok || !pinnedRef.MatchString(ref) {
		return ghrunErrorf("uses: %s: pin the action by its full commit SHA", s.Uses)
	}
	a, ok := remoteActions[name]
	if !ok {
		return ghrunErrorf("uses: %s: ghrun has no local equivalent of this action; add one to .ci/ghrun/actions.go", name)
	}
	with, err := withInputs(ec, s, a.inputs)
	if err != nil {
		return ghrunErrorf("%w", err)
	}
	return a.run(ctx, j, with, f)
}

// runLocalAction runs an action of this repository. The one ghrun knows is
// setup-sdlkit; it must exist where the step says, as on a runner.
func (j *job) runLocalAction(ctx context.Context, ec *evalContext, s *Step, f stepFiles) error {
	dir := filepath.Join(j.workspace, filepath.FromSlash(s.Uses))
	if !strings.HasSuffix(filepath.ToSlash(dir), "/.github/actions/setup-sdlkit") {
		return ghrunErrorf("uses: %s: ghrun has no local equivalent of this action; add one to .ci/ghrun/actions.go", s.Uses)
	}
	inputs, err := actionInputs(filepath.Join(dir, "action.yml"))
	if err != nil {
		return ghrunErrorf("uses: %s: %w", s.Uses, err)
	}
	with, err := withInputs(ec, s, inputs)
	if err != nil {
		return ghrunErrorf("%w", err)
	}
	return j.setupSdlkit(ctx, strings.TrimSuffix(dir, filepath.FromSlash("/.github/actions/setup-sdlkit")), with, f)
}

// setupSdlkit builds ./cmd/sdlkit of the commit the action was checked out
// at (instead of downloading and verifying a release) and puts it on PATH.
// The checkout may be sparse, so the source comes from the repository.
func (j *job) setupSdlkit(ctx context.Context, root string, with map[string]string, f stepFiles) error {
	commit, err := gitOutput(ctx, root, "rev-parse", "HEAD")
	if err != nil {
		return err
	}
	bin, ok := j.r.builds[commit]
	if !ok {
		j.r.logf("    setup-sdlkit: building ./cmd/sdlkit at %.12s instead of installing %s", commit, cmpOr(with["version"], "the default version"))
		bin = filepath.Join(j.r.opt.Dir, "setup-sdlkit", commit)
		src := filepath.Join(j.r.opt.Dir, "setup-sdlkit", "src-"+commit)
		for _, args := range [][]string{{"clone", "-q", "--no-checkout", j.r.opt.Repo, src}, {"-C", src, "checkout", "-q", "--detach", commit}} {
			if err := j.git(ctx, "", args...); err != nil {
				return err
			}
		}
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, "sdlkit"), "./cmd/sdlkit")
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN=auto")
		cmd.Stdout, cmd.Stderr = j.r.opt.Stderr, j.r.opt.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build sdlkit: %w", err)
		}
		j.r.builds[commit] = bin
	}
	out, err := exec.CommandContext(ctx, filepath.Join(bin, "sdlkit"), "--version").Output()
	if err != nil {
		return fmt.Errorf("sdlkit --version: %w", err)
	}
	fields := strings.Fields(string(out))
	if len(fields) < 2 {
		return fmt.Errorf("sdlkit --version printed %q", out)
	}
	if err := appendFile(f.path, bin+"\n"); err != nil {
		return err
	}
	return writeOutputs(f, map[string]string{"path": filepath.Join(bin, "sdlkit"), "version": fields[1]})
}

func appendFile(path, s string) error {
	fh, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = fh.WriteString(s)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	return err
}

func writeOutputs(f stepFiles, outputs map[string]string) error {
	var b strings.Builder
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range outputs {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(&b, "%s=%s\n", k, outputs[k])
	}
	return appendFile(f.output, b.String())
}

// resolve makes a path an action input names absolute, relative to the
// workspace.
func (j *job) resolve(p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(j.workspace, p)
	}
	return filepath.Clean(p)
}

// inWorkspace resolves a path as resolve does, and refuses one outside the
// workspace, as actions/checkout does.
func (j *job) inWorkspace(p string) (string, error) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(j.workspace, p)
	}
	p = filepath.Clean(p)
	if p != j.workspace && !strings.HasPrefix(p, j.workspace+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the workspace", p)
	}
	return p, nil
}

func (j *job) git(ctx context.Context, dir string, args ...string) error {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("git %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// checkout fetches the repository given to ghrun into the workspace (or
// with.path) as actions/checkout does: init, sparse-checkout if asked,
// fetch what fetch-depth asks for, check out the ref (a branch as a branch,
// a tag or commit detached).
// Only this workflow's repository is at hand locally.
func checkout(ctx context.Context, j *job, with map[string]string, f stepFiles) error {
	if repo := cmpOr(with["repository"], j.r.opt.Repository); !strings.EqualFold(repo, j.r.opt.Repository) {
		return fmt.Errorf("checkout of %s: only %s is available locally", repo, j.r.opt.Repository)
	}
	dest, err := j.inWorkspace(with["path"])
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dest); err != nil {
		return err
	}
	depth, err := strconv.Atoi(cmpOr(with["fetch-depth"], "1"))
	if err != nil || depth < 0 {
		return fmt.Errorf("fetch-depth %q", with["fetch-depth"])
	}
	src, err := filepath.Abs(j.r.opt.Repo)
	if err != nil {
		return err
	}
	ref := cmpOr(with["ref"], j.r.opt.Ref)
	steps := [][]string{{"init", "-q", dest}, {"-C", dest, "remote", "add", "origin", src}}
	fetch := []string{"-C", dest, "fetch", "-q"}
	if depth > 0 {
		fetch = append(fetch, "--no-tags", "--depth="+strconv.Itoa(depth))
	} else {
		fetch = append(fetch, "--tags")
	}
	fetch = append(fetch, "origin")
	var co []string
	switch {
	case pinnedRef.MatchString(ref):
		fetch = append(fetch, ref)
		co = []string{"-C", dest, "checkout", "-q", "--detach", ref}
	case strings.HasPrefix(ref, "refs/tags/"):
		fetch = append(fetch, "+"+ref+":"+ref)
		co = []string{"-C", dest, "checkout", "-q", "--detach", ref}
	default:
		branch := strings.TrimPrefix(ref, "refs/heads/")
		fetch = append(fetch, "+refs/heads/"+branch+":refs/remotes/origin/"+branch)
		co = []string{"-C", dest, "checkout", "-q", "-B", branch, "refs/remotes/origin/" + branch}
	}
	if depth == 0 {
		fetch = append(fetch, "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*")
	}
	if sparse := strings.Fields(with["sparse-checkout"]); len(sparse) > 0 {
		set := []string{"-C", dest, "sparse-checkout", "set"}
		if with["sparse-checkout-cone-mode"] == "false" {
			set = append(set, "--no-cone")
		}
		steps = append(steps, append(set, sparse...))
	}
	for _, args := range append(steps, fetch, co) {
		if err := j.git(ctx, "", args...); err != nil {
			return err
		}
	}
	out, err := exec.CommandContext(ctx, "git", "-C", dest, "rev-parse", "HEAD").Output()
	if err != nil {
		return err
	}
	return writeOutputs(f, map[string]string{"ref": ref, "commit": strings.TrimSpace(string(out))})
}

// uploadArtifact copies the files with.path names into the run's artifact
// store under with.name: the root is the search paths' least common
// ancestor, hidden files are left out unless include-hidden-files, and a
// name already taken is an error unless overwrite, as in v4 and later.
func uploadArtifact(ctx context.Context, j *job, with map[string]string, f stepFiles) error {
	name := cmpOr(with["name"], "artifact")
	var roots, files []string
	for _, pat := range strings.Split(with["path"], "\n") {
		if pat = strings.TrimSpace(pat); pat == "" {
			continue
		}
		if strings.HasPrefix(pat, "!") || strings.Contains(pat, "**") {
			return fmt.Errorf("path %q: ghrun takes plain paths and * globs", pat)
		}
		abs := j.resolve(pat)
		root := globRoot(abs)
		if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
			root = filepath.Dir(root) // one file: its folder is the root
		}
		roots = append(roots, root)
		matches, err := filepath.Glob(abs)
		if err != nil {
			return err
		}
		for _, m := range matches {
			err := filepath.WalkDir(m, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !d.IsDir() {
					files = append(files, p)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	if len(roots) == 0 {
		return fmt.Errorf("no path given")
	}
	root := roots[0]
	for _, r := range roots[1:] {
		for root != r && !strings.HasPrefix(r, root+string(filepath.Separator)) {
			root = filepath.Dir(root)
		}
	}
	if with["include-hidden-files"] != "true" {
		files = slices.DeleteFunc(files, func(p string) bool {
			rel, _ := filepath.Rel(root, p)
			return slices.ContainsFunc(strings.Split(rel, string(filepath.Separator)), func(c string) bool { return strings.HasPrefix(c, ".") })
		})
	}
	if len(files) == 0 {
		switch cmpOr(with["if-no-files-found"], "warn") {
		case "error":
			return fmt.Errorf("no files were found with the provided path: %s", with["path"])
		case "warn":
			j.r.logf("    warning: no files were found with the provided path: %s. No artifacts will be uploaded.", with["path"])
		}
		return nil
	}
	dest := filepath.Join(j.r.artifacts, name)
	if _, err := os.Stat(dest); err == nil {
		if with["overwrite"] != "true" {
			return fmt.Errorf("an artifact with the name %s already exists", name)
		}
		if err := os.RemoveAll(dest); err != nil {
			return err
		}
	}
	for _, p := range files {
		rel, _ := filepath.Rel(root, p)
		if err := copyFile(p, filepath.Join(dest, rel)); err != nil {
			return err
		}
	}
	j.r.logf("    upload-artifact: %s: %d files from %s", name, len(files), root)
	return writeOutputs(f, map[string]string{"artifact-id": strconv.Itoa(len(j.r.res.Jobs) + 1), "artifact-url": "file://" + dest})
}

// globRoot is the directory part of a pattern before its first wildcard.
func globRoot(p string) string {
	i := strings.IndexAny(p, "*?[")
	if i < 0 {
		return p
	}
	return filepath.Dir(p[:i+1])
}

func copyFile(src, dst string) error {
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, fi.Mode().Perm())
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		return copyFile(p, filepath.Join(dst, rel))
	})
}

// downloadArtifact copies an artifact of this run into with.path (default
// the workspace); without a name, every artifact into its own folder.
func downloadArtifact(ctx context.Context, j *job, with map[string]string, f stepFiles) error {
	if with["pattern"] != "" || with["artifact-ids"] != "" || with["run-id"] != "" {
		return fmt.Errorf("ghrun downloads artifacts of this run by name only")
	}
	dest := j.resolve(with["path"])
	if with["name"] == "" {
		if err := copyTree(j.r.artifacts, dest); err != nil {
			return err
		}
	} else {
		src := filepath.Join(j.r.artifacts, with["name"])
		if _, err := os.Stat(src); err != nil {
			return fmt.Errorf("unable to download artifact(s): artifact not found for name: %s", with["name"])
		}
		if err := copyTree(src, dest); err != nil {
			return err
		}
	}
	return writeOutputs(f, map[string]string{"download-path": dest})
}

// uploadSarif checks that sarif_file (a file, or a directory of .sarif
// files) is SARIF 2.1.0 JSON with at least a tool name in each run, which
// is what code scanning rejects an upload for first.
func uploadSarif(ctx context.Context, j *job, with map[string]string, f stepFiles) error {
	p := j.resolve(cmpOr(with["sarif_file"], "../results"))
	files := []string{p}
	if fi, err := os.Stat(p); err != nil {
		return fmt.Errorf("sarif_file: %w", err)
	} else if fi.IsDir() {
		files, _ = filepath.Glob(filepath.Join(p, "*.sarif"))
		if len(files) == 0 {
			return fmt.Errorf("sarif_file: no .sarif files in %s", p)
		}
	}
	for _, file := range files {
		if err := checkSarif(file); err != nil {
			return err
		}
	}
	j.r.logf("    upload-sarif: %d SARIF 2.1.0 files checked", len(files))
	return writeOutputs(f, map[string]string{"sarif-id": "ghrun-local"})
}

func checkSarif(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name string `json:"name"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("%s: not JSON: %w", path, err)
	}
	if doc.Version != "2.1.0" {
		return fmt.Errorf("%s: SARIF version %q, not 2.1.0", path, doc.Version)
	}
	if doc.Runs == nil {
		return fmt.Errorf("%s: no runs", path)
	}
	for i, r := range doc.Runs {
		if r.Tool.Driver.Name == "" {
			return fmt.Errorf("%s: run %d names no tool.driver.name", path, i)
		}
	}
	return nil
}
