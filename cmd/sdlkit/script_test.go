package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
)

// exitFileEnv names the file where the in-process sdlkit records its exit
// code, so that scripts can assert the exact code with 'exitcode N'.
const exitFileEnv = "SDLKIT_TEST_EXIT_FILE"

// TestMain lets testscript run sdlkit in process: the test binary itself
// plays the sdlkit command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"sdlkit": func() {
			code := run(context.Background(), os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
			if p := os.Getenv(exitFileEnv); p != "" {
				_ = os.WriteFile(p, []byte(strconv.Itoa(code)), 0o644)
			}
			os.Exit(code)
		},
	})
}

// TestScripts runs every testdata/script/*.txtar. Scripts see $FIXTURES, a
// copy of testdata/fixtures (real third-party files, see its README.md),
// and $REPO, the module root, and can assert the last sdlkit exit code with
// 'exitcode N'.
func TestScripts(t *testing.T) {
	t.Parallel()
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	fixtures := sbomtest.Tree(t, filepath.Join("testdata", "fixtures"))
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO", repo)
			env.Setenv("FIXTURES", fixtures)
			env.Setenv(exitFileEnv, filepath.Join(env.WorkDir, ".sdlkit-exit"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
			"jsonlen":  cmdJSONLen,
			"jsoneq":   cmdJSONEq,
		},
		RequireExplicitExec: true,
	})
}

// cmdExitCode asserts the exit code of the last 'exec sdlkit'.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: exitcode N")
	}
	data, err := os.ReadFile(ts.Getenv(exitFileEnv))
	ts.Check(err)
	if got := strings.TrimSpace(string(data)); got != args[0] {
		ts.Fatalf("sdlkit exited %s, want %s", got, args[0])
	}
}

// cmdJSONLen asserts the length of the array at a dotted path in a JSON
// file: 'jsonlen FILE requirements 47' ('.' for the document itself).
func cmdJSONLen(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: jsonlen FILE PATH N")
	}
	list, ok := jsonAt(ts, args[0], args[1]).([]any)
	if !ok {
		ts.Fatalf("%s: %s is not an array", args[0], args[1])
	}
	if strconv.Itoa(len(list)) != args[2] {
		ts.Fatalf("%s: %s has %d elements, want %s", args[0], args[1], len(list), args[2])
	}
}

// cmdJSONEq asserts that the values at PATH (dot-separated keys) of two
// JSON files are equal and not empty: 'jsoneq FILE1 FILE2 PATH'.
func cmdJSONEq(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: jsoneq FILE1 FILE2 PATH")
	}
	a, b := jsonAt(ts, args[0], args[2]), jsonAt(ts, args[1], args[2])
	if a == nil || b == nil {
		ts.Fatalf("%s: no value in %s or %s", args[2], args[0], args[1])
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if eq := string(ja) == string(jb); eq == neg {
		ts.Fatalf("%s: %s in %s, %s in %s", args[2], ja, args[0], jb, args[1])
	}
}

// jsonAt returns the value at path (dot-separated keys, "." for the whole
// document) of the JSON file.
func jsonAt(ts *testscript.TestScript, file, path string) any {
	var v any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(file)), &v))
	if path == "." {
		return v
	}
	for _, key := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			ts.Fatalf("%s: %q is not inside an object", file, key)
		}
		v = m[key]
	}
	return v
}
