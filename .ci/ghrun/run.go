package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Options is what a local run is given.
type Options struct {
	WorkflowPath string            // the workflow's path in the repository, read at Ref
	Repo         string            // the repository checkout clones (a path or URL git accepts)
	Repository   string            // owner/name, as github.repository
	Ref          string            // refs/heads/… or refs/tags/…
	Event        string            // github.event_name
	Inputs       map[string]string // --input NAME=VALUE
	Secrets      map[string]string // --secret NAME=VALUE
	Artifacts    map[string]string // --artifact NAME=DIR: uploaded before the run
	Dir          string            // where jobs' workspaces, temp dirs and artifacts go
	Stderr       io.Writer         // the steps' output and ghrun's messages
}

// Result is what a run produced.
type Result struct {
	Jobs    map[string]*jobResult
	Outputs map[string]string // the workflow's outputs
	Summary string            // every job's step summaries, in order
	OK      bool
}

type jobResult struct {
	Result  string            `json:"result"` // success, failure, skipped
	Outputs map[string]string `json:"outputs"`
}

// runner holds one run's state.
type runner struct {
	opt       Options
	wf        *Workflow
	sha       string
	inputs    map[string]any
	artifacts string            // the artifact store: one directory per artifact name
	builds    map[string]string // setup-sdlkit's builds by source commit
	oidc      *oidcServer
	res       *Result
}

// Run runs the workflow's jobs in order and reports what they did.
func Run(ctx context.Context, opt Options) (*Result, error) {
	sha, err := gitOutput(ctx, opt.Repo, "rev-parse", "--verify", opt.Ref+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("ref %s: %w", opt.Ref, err)
	}
	src, err := gitOutput(ctx, opt.Repo, "show", sha+":"+opt.WorkflowPath)
	if err != nil {
		return nil, fmt.Errorf("workflow %s at %s: %w", opt.WorkflowPath, opt.Ref, err)
	}
	wf, err := parseWorkflow([]byte(src))
	if err != nil {
		return nil, fmt.Errorf("workflow %s: %w", opt.WorkflowPath, err)
	}
	r := &runner{opt: opt, wf: wf, sha: sha, artifacts: filepath.Join(opt.Dir, "artifacts"),
		builds: map[string]string{}, res: &Result{Jobs: map[string]*jobResult{}, Outputs: map[string]string{}, OK: true}}
	if r.inputs, err = resolveInputs(wf, opt.Inputs); err != nil {
		return nil, err
	}
	for name := range opt.Secrets {
		if _, ok := wf.call.Secrets[name]; !ok {
			return nil, fmt.Errorf("--secret %s: the workflow has no such secret", name)
		}
	}
	for name, s := range wf.call.Secrets {
		if s.Required && opt.Secrets[name] == "" {
			return nil, fmt.Errorf("the workflow requires the secret %s", name)
		}
	}
	if err := os.MkdirAll(r.artifacts, 0o755); err != nil {
		return nil, err
	}
	for name, dir := range opt.Artifacts {
		if err := copyTree(dir, filepath.Join(r.artifacts, name)); err != nil {
			return nil, fmt.Errorf("--artifact %s: %w", name, err)
		}
	}
	if r.oidc, err = startOIDC(r.claims()); err != nil {
		return nil, err
	}
	defer r.oidc.Close()

	for _, j := range wf.jobList {
		jr, err := r.runJob(ctx, j)
		if err != nil {
			return nil, fmt.Errorf("job %s: %w", j.ID, err)
		}
		r.res.Jobs[j.ID] = jr
		if jr.Result == "failure" {
			r.res.OK = false
		}
	}
	ec := r.evalContext(nil, "success")
	ec.vars["jobs"] = r.jobsContext()
	for name, o := range wf.call.Outputs {
		if r.res.Outputs[name], err = ec.interpolate(o.Value); err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		}
	}
	return r.res, nil
}

// resolveInputs gives each declared input its value: the command line's,
// else the default, typed as the input declares.
func resolveInputs(wf *Workflow, given map[string]string) (map[string]any, error) {
	for name := range given {
		if _, ok := wf.call.Inputs[name]; !ok {
			return nil, fmt.Errorf("--input %s: the workflow has no such input", name)
		}
	}
	inputs := map[string]any{}
	for name, in := range wf.call.Inputs {
		s, ok := given[name]
		if !ok && in.Default.Kind != 0 {
			s, ok = in.Default.Value, true
		}
		if !ok {
			if in.Required {
				return nil, fmt.Errorf("the workflow requires the input %s", name)
			}
		}
		switch in.Type {
		case "boolean":
			if !ok {
				inputs[name] = false
				continue
			}
			b, err := strconv.ParseBool(s)
			if err != nil {
				return nil, fmt.Errorf("input %s: %q is not a boolean", name, s)
			}
			inputs[name] = b
		case "number":
			if !ok {
				inputs[name] = 0.0
				continue
			}
			n, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("input %s: %q is not a number", name, s)
			}
			inputs[name] = n
		case "string":
			inputs[name] = s
		default:
			return nil, fmt.Errorf("input %s: type %q (string, boolean or number)", name, in.Type)
		}
	}
	return inputs, nil
}

func (r *runner) refName() (name, kind string) {
	if t, ok := strings.CutPrefix(r.opt.Ref, "refs/tags/"); ok {
		return t, "tag"
	}
	return strings.TrimPrefix(r.opt.Ref, "refs/heads/"), "branch"
}

// githubContext is github.*, as much of it as a workflow here reads.
func (r *runner) githubContext(job, workspace string) map[string]any {
	name, kind := r.refName()
	owner, _, _ := strings.Cut(r.opt.Repository, "/")
	return map[string]any{
		"repository": r.opt.Repository, "repository_owner": owner, "ref": r.opt.Ref, "ref_name": name,
		"ref_type": kind, "sha": r.sha, "event_name": r.opt.Event, "workspace": workspace, "job": job,
		"server_url": "https://github.com", "api_url": "https://api.github.com", "run_id": "1",
		"run_number": "1", "run_attempt": "1", "actor": "ghrun", "triggering_actor": "ghrun",
		"workflow": r.wf.Name, "workflow_ref": r.opt.Repository + "/" + r.opt.WorkflowPath + "@" + r.opt.Ref,
		"workflow_sha": r.sha, "token": "ghrun-local-token", "action_path": "", "retention_days": 90.0,
		"event": map[string]any{},
	}
}

func (r *runner) jobsContext() map[string]any {
	jobs := map[string]any{}
	for id, jr := range r.res.Jobs {
		jobs[id] = map[string]any{"result": jr.Result, "outputs": toAnyMap(jr.Outputs)}
	}
	return jobs
}

func toAnyMap(m map[string]string) map[string]any {
	a := make(map[string]any, len(m))
	for k, v := range m {
		a[k] = v
	}
	return a
}

// job is one job's running state.
type job struct {
	*Job
	r         *runner
	workspace string
	temp      string
	env       map[string]string // workflow, job and GITHUB_ENV variables
	path      []string          // GITHUB_PATH entries, newest first
	steps     map[string]any    // the steps context
	status    string            // success or failure so far
	summary   strings.Builder
}

func (r *runner) evalContext(j *job, status string) *evalContext {
	needs := map[string]any{}
	if j != nil {
		for _, n := range j.Needs {
			jr := r.res.Jobs[n]
			needs[n] = map[string]any{"result": jr.Result, "outputs": toAnyMap(jr.Outputs)}
		}
	}
	secrets := map[string]any{"GITHUB_TOKEN": "ghrun-local-token"}
	for k, v := range r.opt.Secrets {
		secrets[k] = v
	}
	vars := map[string]any{
		"inputs": maps.Clone(r.inputs), "secrets": secrets, "vars": map[string]any{},
		"needs": needs, "github": r.githubContext("", ""), "env": map[string]any{},
		"runner": map[string]any{"os": "Linux", "arch": runnerArch(), "temp": "", "name": "ghrun",
			"tool_cache": "", "environment": "self-hosted", "debug": ""},
		"job": map[string]any{"status": status},
	}
	if j != nil {
		vars["github"] = r.githubContext(j.ID, j.workspace)
		vars["runner"].(map[string]any)["temp"] = j.temp
		vars["runner"].(map[string]any)["tool_cache"] = filepath.Join(j.temp, "tool_cache")
		vars["env"] = toAnyMap(j.env)
		vars["steps"] = j.steps
	}
	return &evalContext{vars: vars, status: status}
}

func runnerArch() string {
	if runtime.GOARCH == "arm64" {
		return "ARM64"
	}
	return "X64"
}

func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(r.opt.Stderr, "ghrun: "+format+"\n", args...)
}

func (r *runner) runJob(ctx context.Context, spec *Job) (*jobResult, error) {
	status := "success"
	for _, n := range spec.Needs {
		if res := r.res.Jobs[n].Result; res != "success" {
			status = "failure"
			if res == "skipped" {
				status = "skipped"
			}
		}
	}
	base := filepath.Join(r.opt.Dir, "jobs", spec.ID)
	j := &job{Job: spec, r: r, workspace: filepath.Join(base, "workspace"), temp: filepath.Join(base, "temp"),
		env: map[string]string{}, steps: map[string]any{}, status: "success"}
	// With a need skipped, neither success() nor failure() holds: the job
	// runs only if its if: says always().
	ec := r.evalContext(j, status)
	ok, err := ec.condition(spec.If)
	if err != nil {
		return nil, err
	}
	if !ok {
		r.logf("job %s: skipped (if: %s)", spec.ID, strings.TrimSpace(spec.If))
		return &jobResult{Result: "skipped", Outputs: map[string]string{}}, nil
	}
	for _, d := range []string{j.workspace, j.temp, filepath.Join(j.temp, "home")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := j.setEnv(r.wf.Env, spec.Env); err != nil {
		return nil, err
	}
	// runs-on means nothing here, but its expressions must evaluate.
	if spec.RunsOn.Kind == yaml.ScalarNode {
		if _, err := r.evalContext(j, status).interpolate(spec.RunsOn.Value); err != nil {
			return nil, fmt.Errorf("runs-on: %w", err)
		}
	}
	r.logf("job %s: runs in %s", spec.ID, j.workspace)
	if spec.TimeoutMinutes > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(spec.TimeoutMinutes*float64(time.Minute)))
		defer cancel()
	}
	for i, s := range spec.Steps {
		if err := j.runStep(ctx, i, s); err != nil {
			return nil, err
		}
	}
	jr := &jobResult{Result: j.status, Outputs: map[string]string{}}
	ec = r.evalContext(j, j.status)
	for name, v := range spec.Outputs {
		if jr.Outputs[name], err = ec.interpolate(v); err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		}
	}
	if j.summary.Len() > 0 {
		r.res.Summary += j.summary.String()
	}
	r.logf("job %s: %s", spec.ID, jr.Result)
	return jr, nil
}

// setEnv evaluates the workflow's and then the job's env: into j.env.
func (j *job) setEnv(levels ...map[string]string) error {
	for _, env := range levels {
		ec := j.r.evalContext(j, j.status)
		for _, k := range slices.Sorted(maps.Keys(env)) {
			v, err := ec.interpolate(env[k])
			if err != nil {
				return fmt.Errorf("env %s: %w", k, err)
			}
			j.env[k] = v
		}
	}
	return nil
}

// stepFiles are the files a step's commands write: $GITHUB_OUTPUT,
// $GITHUB_ENV, $GITHUB_PATH and $GITHUB_STEP_SUMMARY.
type stepFiles struct{ output, env, path, summary string }

func (j *job) newStepFiles(i int) (stepFiles, error) {
	dir := filepath.Join(j.temp, "_runner_file_commands", strconv.Itoa(i))
	f := stepFiles{filepath.Join(dir, "output"), filepath.Join(dir, "env"), filepath.Join(dir, "path"), filepath.Join(dir, "summary")}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return f, err
	}
	for _, p := range []string{f.output, f.env, f.path, f.summary} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			return f, err
		}
	}
	return f, nil
}

// runStep runs one step if its if: holds and records its outcome in the
// steps context. A step that fails marks the job failed unless it
// continues on error; an error return is ghrun's own failure.
func (j *job) runStep(ctx context.Context, i int, s *Step) error {
	label := s.label(i)
	ec := j.r.evalContext(j, j.status)
	run, err := ec.condition(s.If)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	if !run {
		j.r.logf("  skip: %s", label)
		j.record(s, "skipped", "skipped", nil)
		return nil
	}
	j.r.logf("  step: %s", label)
	env, err := j.stepEnv(ec, s)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	files, err := j.newStepFiles(i)
	if err != nil {
		return err
	}
	env["GITHUB_OUTPUT"], env["GITHUB_ENV"], env["GITHUB_PATH"], env["GITHUB_STEP_SUMMARY"] = files.output, files.env, files.path, files.summary
	if s.TimeoutMinutes > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(s.TimeoutMinutes*float64(time.Minute)))
		defer cancel()
	}
	var stepErr error
	if s.Run != "" {
		stepErr = j.runScript(ctx, ec, i, s, env)
	} else {
		stepErr = j.runAction(ctx, ec, s, files)
	}
	var ghrunErr *ghrunError
	if errors.As(stepErr, &ghrunErr) {
		return fmt.Errorf("%s: %w", label, stepErr)
	}
	outputs, err := j.collect(files)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	outcome := "success"
	if stepErr != nil {
		outcome = "failure"
		j.r.logf("  failed: %s: %v", label, stepErr)
	}
	conclusion := outcome
	if outcome == "failure" {
		coe, err := ec.interpolate(s.ContinueOnError)
		if err != nil {
			return fmt.Errorf("%s: continue-on-error: %w", label, err)
		}
		if coe == "true" {
			conclusion = "success"
		} else {
			j.status = "failure"
		}
	}
	j.record(s, outcome, conclusion, outputs)
	return nil
}

func (j *job) record(s *Step, outcome, conclusion string, outputs map[string]string) {
	if s.ID == "" {
		return
	}
	j.steps[s.ID] = map[string]any{"outcome": outcome, "conclusion": conclusion, "outputs": toAnyMap(outputs)}
}

// ghrunError is a failure of ghrun or of the workflow's form (an unknown
// action, a bad expression), as opposed to a step that ran and failed.
type ghrunError struct{ err error }

func (e *ghrunError) Error() string { return e.err.Error() }
func (e *ghrunError) Unwrap() error { return e.err }

func ghrunErrorf(format string, args ...any) error {
	return &ghrunError{fmt.Errorf(format, args...)}
}

// stepEnv is the environment a step's process gets: this process's, less
// what would make a local run differ from a runner's, plus the runner's
// variables, the workflow's, job's and step's env: and $GITHUB_ENV.
func (j *job) stepEnv(ec *evalContext, s *Step) (map[string]string, error) {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "RUNNER_") || strings.HasPrefix(k, "ACTIONS_") || strings.HasPrefix(k, "SDLKIT_") {
			continue
		}
		env[k] = v
	}
	gh := ec.vars["github"].(map[string]any)
	name, kind := j.r.refName()
	maps.Copy(env, map[string]string{
		"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": j.workspace, "GITHUB_REPOSITORY": j.r.opt.Repository,
		"GITHUB_REPOSITORY_OWNER": gh["repository_owner"].(string), "GITHUB_REF": j.r.opt.Ref, "GITHUB_REF_NAME": name,
		"GITHUB_REF_TYPE": kind, "GITHUB_SHA": j.r.sha, "GITHUB_EVENT_NAME": j.r.opt.Event, "GITHUB_JOB": j.ID,
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_API_URL": "https://api.github.com", "GITHUB_RUN_ID": "1",
		"GITHUB_RUN_NUMBER": "1", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_ACTOR": "ghrun", "GITHUB_WORKFLOW": j.r.wf.Name,
		"GITHUB_WORKFLOW_REF": gh["workflow_ref"].(string), "GITHUB_WORKFLOW_SHA": j.r.sha,
		"RUNNER_TEMP": j.temp, "RUNNER_OS": "Linux", "RUNNER_ARCH": runnerArch(), "RUNNER_NAME": "ghrun",
		"RUNNER_TOOL_CACHE": filepath.Join(j.temp, "tool_cache"), "RUNNER_ENVIRONMENT": "self-hosted",
		// A runner's home has no git identity or sdlkit config of this
		// machine's user: a step that needs one must fail here too.
		"HOME": filepath.Join(j.temp, "home"),
	})
	if j.permission("id-token") == "write" {
		// Only a job that may have an OIDC token can ask for one.
		env["ACTIONS_ID_TOKEN_REQUEST_URL"] = j.r.oidc.URL
		env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = j.r.oidc.RequestToken
	}
	maps.Copy(env, j.env)
	for _, k := range slices.Sorted(maps.Keys(s.Env)) {
		v, err := ec.interpolate(s.Env[k])
		if err != nil {
			return nil, ghrunErrorf("env %s: %w", k, err)
		}
		env[k] = v
	}
	if len(j.path) > 0 {
		env["PATH"] = strings.Join(j.path, string(os.PathListSeparator)) + string(os.PathListSeparator) + env["PATH"]
	}
	return env, nil
}

// shellCommand is the command line Actions uses for a shell: keyword.
func shellCommand(shell, script string) ([]string, error) {
	switch shell {
	case "":
		return []string{"bash", "-e", script}, nil
	case "bash":
		return []string{"bash", "--noprofile", "--norc", "-eo", "pipefail", script}, nil
	case "sh":
		return []string{"sh", "-e", script}, nil
	}
	if strings.Contains(shell, "{0}") {
		return strings.Fields(strings.ReplaceAll(shell, "{0}", script)), nil
	}
	return nil, fmt.Errorf("shell %q: ghrun runs bash, sh or a command with {0}", shell)
}

func (j *job) runScript(ctx context.Context, ec *evalContext, i int, s *Step, env map[string]string) error {
	shell := cmpOr(s.Shell, j.Defaults.Run.Shell, j.r.wf.Defaults.Run.Shell)
	script := filepath.Join(j.temp, fmt.Sprintf("step-%d.sh", i))
	if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
		return err
	}
	argv, err := shellCommand(shell, script)
	if err != nil {
		return ghrunErrorf("%w", err)
	}
	wd, err := ec.interpolate(cmpOr(s.WorkingDirectory, j.Defaults.Run.WorkingDirectory, j.r.wf.Defaults.Run.WorkingDirectory))
	if err != nil {
		return ghrunErrorf("working-directory: %w", err)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = j.workspace
	if wd != "" {
		cmd.Dir = filepath.Join(j.workspace, wd)
	}
	cmd.Stdout, cmd.Stderr = j.r.opt.Stderr, j.r.opt.Stderr
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd.Run()
}

func cmpOr(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// collect reads what a step wrote to its files: outputs, env, path and
// summary.
func (j *job) collect(f stepFiles) (map[string]string, error) {
	outputs, err := readKeyValues(f.output)
	if err != nil {
		return nil, fmt.Errorf("GITHUB_OUTPUT: %w", err)
	}
	env, err := readKeyValues(f.env)
	if err != nil {
		return nil, fmt.Errorf("GITHUB_ENV: %w", err)
	}
	maps.Copy(j.env, env)
	b, err := os.ReadFile(f.path)
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			j.path = append([]string{line}, j.path...)
		}
	}
	summary, err := os.ReadFile(f.summary)
	if err != nil {
		return nil, err
	}
	j.summary.Write(summary)
	return outputs, nil
}

// readKeyValues parses the NAME=value and NAME<<DELIMITER … DELIMITER
// lines of $GITHUB_OUTPUT and $GITHUB_ENV.
func readKeyValues(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseKeyValues(f)
}

func parseKeyValues(rd io.Reader) (map[string]string, error) {
	kv := map[string]string{}
	sc := bufio.NewScanner(rd)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		eq, heredoc := strings.Index(line, "="), strings.Index(line, "<<")
		if heredoc > 0 && (eq < 0 || heredoc < eq) {
			name, delim := line[:heredoc], line[heredoc+2:]
			if delim == "" {
				return nil, fmt.Errorf("%s<<: no delimiter", name)
			}
			var lines []string
			closed := false
			for sc.Scan() {
				if sc.Text() == delim {
					closed = true
					break
				}
				lines = append(lines, sc.Text())
			}
			if !closed {
				return nil, fmt.Errorf("%s<<%s: no closing %s", name, delim, delim)
			}
			kv[name] = strings.Join(lines, "\n")
			continue
		}
		if eq <= 0 {
			return nil, fmt.Errorf("line %q is neither NAME=value nor NAME<<DELIMITER", line)
		}
		kv[line[:eq]] = line[eq+1:]
	}
	return kv, sc.Err()
}

// withInputs evaluates a uses: step's with: and checks its keys against
// what the action accepts.
func withInputs(ec *evalContext, s *Step, accepted []string) (map[string]string, error) {
	with := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(s.With)) {
		if !slices.Contains(accepted, k) {
			return nil, fmt.Errorf("with: %s: the action has no such input (it has %s)", k, strings.Join(accepted, ", "))
		}
		v, err := ec.interpolate(s.With[k])
		if err != nil {
			return nil, fmt.Errorf("with: %s: %w", k, err)
		}
		with[k] = v
	}
	return with, nil
}

// actionInputs lists the inputs an action.yml declares.
func actionInputs(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var a struct {
		Inputs yaml.Node `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var names []string
	for i := 0; i+1 < len(a.Inputs.Content); i += 2 {
		names = append(names, a.Inputs.Content[i].Value)
	}
	return names, nil
}

// gitOutput runs git in dir and returns its trimmed output.
func gitOutput(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}
