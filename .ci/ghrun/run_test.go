package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newRepo makes a git repository holding files, committed on main and
// tagged v1.0.0, and returns its path.
func newRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "test"},
		{"tag", "v1.0.0"},
		{"branch", "other"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

const sha = "3d3c42e5aac5ba805825da76410c181273ba90b1"

// testWorkflow exercises what sdlkit-release.yml relies on.
const testWorkflow = `name: test
on:
  workflow_call:
    inputs:
      greeting: {type: string, default: hello}
      fail: {type: boolean, default: false}
      push: {type: boolean, default: true}
    secrets:
      password: {required: false}
    outputs:
      said: {value: "${{ jobs.first.outputs.said }}"}
      second: {value: "${{ jobs.second.result }}"}
permissions: {}
env:
  LEVEL: workflow
  OVERRIDDEN: workflow
jobs:
  first:
    runs-on: ${{ 'ubuntu-latest' }}
    permissions:
      contents: read
      id-token: write
    env:
      OVERRIDDEN: job
    outputs:
      said: ${{ steps.say.outputs.said }}
    steps:
      - uses: actions/checkout@` + sha + `
        with:
          fetch-depth: 0
      - id: say
        shell: bash
        env:
          GREETING: ${{ inputs.greeting }}
          PASSWORD: ${{ secrets.password }}
        run: |
          test "$LEVEL/$OVERRIDDEN" = workflow/job
          test "$PASSWORD" = s3cret
          test -n "$ACTIONS_ID_TOKEN_REQUEST_URL"
          test "$GITHUB_REF_TYPE" = branch
          git rev-parse -q --verify refs/tags/v1.0.0 >/dev/null
          git rev-parse -q --verify refs/remotes/origin/other >/dev/null
          echo "said=$GREETING" >>"$GITHUB_OUTPUT"
          { echo 'multi<<EOF'; echo one; echo two; echo EOF; } >>"$GITHUB_OUTPUT"
          echo "FROM_ENV_FILE=yes" >>"$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\necho tool\n' >"$RUNNER_TEMP/bin/mytool" && chmod +x "$RUNNER_TEMP/bin/mytool"
          echo "$RUNNER_TEMP/bin" >>"$GITHUB_PATH"
          echo "## said $GREETING" >>"$GITHUB_STEP_SUMMARY"
      - shell: bash
        env:
          MULTI: ${{ steps.say.outputs.multi }}
        run: |
          test "$MULTI" = "$(printf 'one\ntwo')"
          test "$FROM_ENV_FILE" = yes
          test "$(mytool)" = tool
          mkdir -p out/sub && echo data >out/a.txt && echo more >out/sub/b.txt && echo hidden >out/.hidden
      - name: one file outside the workspace
        shell: bash
        run: echo single >"$RUNNER_TEMP/one.bundle"
      - uses: actions/upload-artifact@` + sha + `
        with:
          name: one
          path: ${{ runner.temp }}/one.bundle
          if-no-files-found: error
      - id: maybe-fail
        shell: bash
        env:
          FAIL: ${{ inputs.fail }}
        run: |
          # bash -eo pipefail: a failure inside a pipe fails the step
          if [ "$FAIL" = true ]; then false | true; fi
      - name: only after a failure
        if: failure()
        shell: bash
        run: echo "## failed" >>"$GITHUB_STEP_SUMMARY"
      - name: always
        if: always()
        uses: actions/upload-artifact@` + sha + `
        with:
          name: out
          path: out
  second:
    needs: first
    if: always() && inputs.push
    runs-on: ubuntu-latest
    permissions:
      contents: write
    steps:
      - uses: actions/download-artifact@` + sha + `
        with:
          name: out
          path: got
      - uses: actions/download-artifact@` + sha + `
        with:
          name: one
          path: ${{ runner.temp }}/got-one
      - shell: bash
        env:
          SAID: ${{ needs.first.outputs.said }}
        run: |
          test "$SAID" = hello || test "$SAID" = bonjour
          test -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}"
          test "$(cat got/a.txt got/sub/b.txt)" = "$(printf 'data\nmore')"
          test ! -e got/.hidden
          test "$(cat "$RUNNER_TEMP/got-one/one.bundle")" = single
          test ! -e .git  # no checkout step, no checkout
`

func runTest(t *testing.T, workflow string, inputs map[string]string) (*Result, string, error) {
	t.Helper()
	repo := newRepo(t, map[string]string{".github/workflows/w.yml": workflow, "README": "x"})
	var stderr bytes.Buffer
	secrets := map[string]string{}
	if strings.Contains(workflow, "password:") {
		secrets["password"] = "s3cret"
	}
	res, err := Run(context.Background(), Options{Repo: repo, WorkflowPath: ".github/workflows/w.yml", Repository: "acme/fw",
		Ref: "refs/heads/main", Event: "push", Inputs: inputs, Secrets: secrets,
		Dir: t.TempDir(), Stderr: &stderr})
	return res, stderr.String(), err
}

func TestRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		inputs      map[string]string
		wantOK      bool
		wantJobs    map[string]string
		wantOutputs map[string]string
		wantSummary string
	}{
		{"all pass", nil, true, map[string]string{"first": "success", "second": "success"},
			map[string]string{"said": "hello", "second": "success"}, "## said hello\n"},
		{"a step fails: failure() runs, always() runs, the next job runs by always()", map[string]string{"fail": "true", "greeting": "bonjour"},
			false, map[string]string{"first": "failure", "second": "success"},
			map[string]string{"said": "bonjour", "second": "success"}, "## said bonjour\n## failed\n"},
		{"a job skipped by if:", map[string]string{"push": "false"}, true, map[string]string{"first": "success", "second": "skipped"},
			map[string]string{"said": "hello", "second": "skipped"}, "## said hello\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, stderr, err := runTest(t, testWorkflow, tt.inputs)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if res.OK != tt.wantOK {
				t.Errorf("OK = %v, want %v\n%s", res.OK, tt.wantOK, stderr)
			}
			jobs := map[string]string{}
			for id, jr := range res.Jobs {
				jobs[id] = jr.Result
			}
			if diff := cmp.Diff(tt.wantJobs, jobs); diff != "" {
				t.Errorf("job results (-want +got)\n%s\n%s", diff, stderr)
			}
			if diff := cmp.Diff(tt.wantOutputs, res.Outputs); diff != "" {
				t.Errorf("outputs (-want +got)\n%s", diff)
			}
			if res.Summary != tt.wantSummary {
				t.Errorf("summary %q, want %q", res.Summary, tt.wantSummary)
			}
		})
	}
}

// TestRunRefuses: what ghrun will not run, so nothing slips by untested.
func TestRunRefuses(t *testing.T) {
	t.Parallel()
	job := func(steps string) string {
		return "on:\n  workflow_call: {}\npermissions: {}\njobs:\n  j:\n    runs-on: x\n    permissions: {}\n    steps:\n" + steps
	}
	tests := []struct {
		name, workflow, want string
		inputs               map[string]string
	}{
		{"an unknown action", job("      - uses: acme/deploy@" + sha + "\n"), "no local equivalent of this action", nil},
		{"an unknown local action", job("      - uses: ./.github/actions/other\n"), "no local equivalent of this action", nil},
		{"an action pinned by tag", job("      - uses: actions/checkout@v7\n"), "pin the action by its full commit SHA", nil},
		{"an input the action lacks", job("      - uses: actions/checkout@" + sha + "\n        with: {depth: 1}\n"), "with: depth: the action has no such input", nil},
		{"${{ }} in a script", job("      - run: echo ${{ github.ref }}\n"), "run: contains ${{ }}", nil},
		{"no top-level permissions", "on:\n  workflow_call: {}\njobs:\n  j:\n    runs-on: x\n    permissions: {}\n    steps:\n      - run: true\n", "no top-level permissions", nil},
		{"a job without permissions", "on:\n  workflow_call: {}\npermissions: {}\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: true\n", "declares no permissions", nil},
		{"not reusable", "on: push\npermissions: {}\njobs: {}\n", "on: is not a mapping", nil},
		{"a matrix", "on:\n  workflow_call: {}\npermissions: {}\njobs:\n  j:\n    runs-on: x\n    permissions: {}\n    strategy: {matrix: {a: [1]}}\n    steps:\n      - run: true\n", "matrix", nil},
		{"needs a later job", "on:\n  workflow_call: {}\npermissions: {}\njobs:\n  a:\n    needs: b\n    runs-on: x\n    permissions: {}\n    steps:\n      - run: true\n  b:\n    runs-on: x\n    permissions: {}\n    steps:\n      - run: true\n", "not an earlier job", nil},
		{"an unknown input", job("      - run: true\n"), "no such input", map[string]string{"nope": "1"}},
		{"a bad expression", job("      - run: true\n        env: {X: '${{ hashFiles(1) }}'}\n"), "hashfiles", nil},
		{"an if: mixing text and ${{ }}", job("      - run: true\n        if: ${{ true }} && false\n"), "always be true", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, stderr, err := runTest(t, tt.workflow, tt.inputs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q\n%s", err, tt.want, stderr)
			}
		})
	}
}

func TestUploadSarif(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, sarif, want string }{
		{"valid", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"sdlkit"}}}]}`, ""},
		{"no runs", `{"version":"2.1.0"}`, "no runs"},
		{"2.0.0", `{"version":"2.0.0","runs":[]}`, "not 2.1.0"},
		{"no tool name", `{"version":"2.1.0","runs":[{}]}`, "tool.driver.name"},
		{"not JSON", `<xml/>`, "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := job2(`      - shell: bash
        env: {SARIF: '` + tt.sarif + `'}
        run: printf '%s' "$SARIF" >scan.sarif
      - uses: github/codeql-action/upload-sarif@` + sha + `
        with: {sarif_file: scan.sarif}
`)
			res, stderr, err := runTest(t, w, nil)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if tt.want == "" && !res.OK || tt.want != "" && (res.OK || !strings.Contains(stderr, tt.want)) {
				t.Errorf("OK = %v, want an error containing %q\n%s", res.OK, tt.want, stderr)
			}
		})
	}
}

func job2(steps string) string {
	return "on:\n  workflow_call: {}\npermissions: {}\njobs:\n  j:\n    runs-on: x\n    permissions: {}\n    steps:\n" + steps
}

func TestOIDCToken(t *testing.T) {
	t.Parallel()
	s, err := startOIDC(map[string]any{"job_workflow_ref": "acme/fw/.github/workflows/w.yml@refs/tags/v1", "job_workflow_sha": sha})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	get := func(auth string) (*http.Response, error) {
		req, _ := http.NewRequest("GET", s.URL+"&audience=test", nil)
		req.Header.Set("Authorization", auth)
		return http.DefaultClient.Do(req)
	}
	if resp, err := get("bearer wrong"); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a wrong request token: %v %v", resp, err)
	}
	resp, err := get("bearer " + s.RequestToken)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Value string }
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(body.Value, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", body.Value)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if claims["aud"] != "test" || claims["job_workflow_sha"] != sha {
		t.Errorf("claims %v", claims)
	}
}

func TestParseKeyValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    map[string]string
		wantErr bool
	}{
		{"a=1\nb=x=y\n\n", map[string]string{"a": "1", "b": "x=y"}, false},
		{"m<<EOF\none\ntwo\nEOF\nc=3\n", map[string]string{"m": "one\ntwo", "c": "3"}, false},
		{"e=\n", map[string]string{"e": ""}, false},
		{"m<<EOF\nunclosed\n", nil, true},
		{"novalue\n", nil, true},
	}
	for _, tt := range tests {
		got, err := parseKeyValues(strings.NewReader(tt.in))
		if (err != nil) != tt.wantErr {
			t.Errorf("parseKeyValues(%q) error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); !tt.wantErr && diff != "" {
			t.Errorf("parseKeyValues(%q) (-want +got)\n%s", tt.in, diff)
		}
	}
}

func TestLintAction(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Skip("no shellcheck")
	}
	t.Parallel()
	dir := t.TempDir()
	action := filepath.Join(dir, "action.yml")
	os.WriteFile(action, []byte(`runs:
  using: composite
  steps:
    - shell: bash
      run: echo "fine"
    - name: unquoted
      shell: bash
      run: rm $FILE
    - name: injected
      shell: bash
      run: echo "${{ inputs.x }}"
    - uses: actions/checkout@v7
    - uses: actions/checkout@`+sha+`
`), 0o644)
	got, err := lintAction(context.Background(), action)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(got, "\n")
	for _, want := range []string{"unquoted: ", "SC2086", "injected: run: contains ${{ }}", "actions/checkout@v7 is not pinned"} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems lack %q:\n%s", want, joined)
		}
	}
	if len(got) != 3 {
		t.Errorf("%d problems, want 3:\n%s", len(got), joined)
	}
}

// TestCheckout: what actions/checkout leaves, by fetch-depth, ref and path.
func TestCheckout(t *testing.T) {
	t.Parallel()
	w := job2(`      - uses: actions/checkout@` + sha + `
      - shell: bash
        run: |
          test "$(git rev-parse HEAD)" = "$GITHUB_SHA"
          test -f README
          ! git rev-parse -q --verify refs/remotes/origin/other  # fetch-depth 1: the ref only
          test "$(git rev-list --count HEAD)" = 1
          test "$(git remote get-url origin)" != ""
      - uses: actions/checkout@` + sha + `
        with:
          path: sub
          ref: ${{ github.sha }}
      - shell: bash
        run: test "$(git -C sub rev-parse HEAD)" = "$GITHUB_SHA" && test -f sub/README && test -f README
      - uses: actions/checkout@` + sha + `
        with:
          path: sparse
          sparse-checkout: .github/
          sparse-checkout-cone-mode: false
      - shell: bash
        run: test -f sparse/.github/workflows/w.yml && test ! -e sparse/README
      - uses: actions/checkout@` + sha + `
        with:
          path: ../outside
`)
	res, stderr, err := runTest(t, w, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if res.OK || !strings.Contains(stderr, "is outside the workspace") || strings.Count(stderr, "failed:") != 1 {
		t.Errorf("want only the checkout outside the workspace to fail\n%s", stderr)
	}
}
