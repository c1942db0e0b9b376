package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"
)

// This file runs every command against every class of bad input (issue 15):
// a table of rows, each one command line, the bad input it meets and what
// must happen. A new command adds its rows with slotRows (one input slot
// crossed with every class of bad file) or one badInputRow each.

// badInputRow is one command run against one bad input.
type badInputRow struct {
	name string
	// args is the command line; "$W" stands for the row's working folder,
	// which holds a fresh copy of the fixtures (see newFixtures).
	args []string
	// setup makes the bad input in the working folder, if the args alone
	// do not name it.
	setup func(t *testing.T, w string)
	// env is added to the base environment (SDLKIT_PASSWORD, CI).
	env map[string]string
	// exit is the exit code the run must end with.
	exit int
	// want must occur in the error line, usually the bad file's name; "$W"
	// stands for the working folder.
	want string
}

const (
	testPassword = "Bad-1nput-pw"
	// sparseSize is the size of the oversized inputs: sparse files that
	// take no space but are larger than any limit.
	sparseSize = 1 << 40
	// ctlName and nlName are file names with control characters: an
	// escape sequence that would recolour a terminal, and a newline that
	// would forge a second line.
	ctlName = "fw\x1b[31m\a.bin"
	nlName  = "fw\nsdlkit: verified.bin"
)

// fixtures are the valid inputs every row starts from, made once with the
// real CLI: a key pair, a signed artifact, a predicate, a signed release, a
// catalog extension and an SBOM.
type fixtures struct {
	dir   string
	files map[string][]byte // slash path → content, of every regular file
}

func newFixtures(t *testing.T) *fixtures {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) {
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("fw.bin", "firmware image 1.2.0\n")
	write("notes.txt", "release notes\n")
	write("p.json", `{"scanner": "sdlkit", "findings": []}`+"\n")
	write("rel/bin/fw.bin", "firmware 1.2.0\n")
	write("rel/README.txt", "install with care\n")
	write("root.json", `{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`+"\n")
	write("cat.yaml", `format: sdlkit.catalog/v1
practices:
  - id: ACME
    title: ACME product safety
    summary: Safety requirements that ACME's products follow.
requirements:
  - id: ACME-1
    practice: ACME
    title: Safety and security co-engineering
    summary: Every security change is checked for its effect on safety functions.
    evidence: [review]
    automation: manual
`)
	write("pol.yaml", "format: sdlkit.policy/v1\nname: p\nrules:\n  - id: signed\n    action: deny\n    condition: artifacts.all(a, a.signed)\n")
	write("sdlkit.yaml", "format: sdlkit.config/v1\nproduct: fw\nartifacts: [fw.bin]\nsigning:\n  key: k.key\n")
	write("scope.yaml", "format: sdlkit.scope/v1\nout_of_scope:\n  - requirement: SG-6\n    rationale: not delivered to integrators\n")
	write("ok.cdx.json", `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"a","version":"1.0.0","purl":"pkg:npm/a@1.0.0","bom-ref":"pkg:npm/a@1.0.0"}]}`+"\n")
	npmExport, err := os.ReadFile(filepath.Join("..", "..", "vulnmgmt", "testdata", "advisories", "npm-all.zip"))
	if err != nil {
		t.Fatal(err)
	}
	write("npm-all.zip", string(npmExport))
	write("triage.vex.json", `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1", "author": "psirt@example.com",
"timestamp": "2026-12-01T10:00:00Z", "version": 1, "statements": [{"vulnerability": {"name": "CVE-2024-37890"},
"products": [{"@id": "pkg:npm/ws@7.5.9"}], "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}`+"\n")
	for _, args := range [][]string{
		{"key", "generate", "--output-prefix", "$W/k"},
		{"key", "generate", "--output-prefix", "$W/k2"},
		{"sign", "$W/fw.bin", "--key", "$W/k.key"},
		{"release", "sign", "$W/rel", "--key", "$W/k.key"},
		{"advisories", "import", "--db", "$W/db", "$W/npm-all.zip"},
		{"advisories", "export", "$W/snap.zip", "--db", "$W/db", "--key", "$W/k.key"},
		{"scan", "$W/ok.cdx.json", "--db", "$W/db", "--format", "json", "-o", "$W/scan.json"},
		{"ledger", "init", "--ledger", "$W/ev.git", "--product", "fw"},
		{"ledger", "record", "--ledger", "$W/ev.git", "--requirement", "SVV-1", "--kind", "test-report", "$W/notes.txt"},
		{"ledger", "checkpoint", "--ledger", "$W/ev.git", "--key", "$W/k.key", "-o", "$W/cp.json"},
	} {
		if code, _, stderr := runIn(t, dir, args, nil); code != 0 {
			t.Fatalf("fixture %v: exit %d: %s", args, code, stderr)
		}
	}
	f := &fixtures{dir: dir, files: map[string][]byte{}}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		f.files[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// copyTo writes every fixture file into w.
func (f *fixtures) copyTo(t *testing.T, w string) {
	t.Helper()
	for name, data := range f.files {
		full := filepath.Join(w, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		perm := os.FileMode(0o644)
		if strings.HasSuffix(name, ".key") {
			perm = 0o600
		}
		if err := os.WriteFile(full, data, perm); err != nil {
			t.Fatal(err)
		}
	}
}

// runIn runs sdlkit in process with "$W" in args replaced by w, stdin
// empty (not a terminal) and the base environment plus env.
func runIn(t *testing.T, w string, args []string, env map[string]string) (int, string, string) {
	return runCtx(t, context.Background(), w, args, env)
}

func runCtx(t *testing.T, ctx context.Context, w string, args []string, env map[string]string) (code int, stdout, stderr string) {
	t.Helper()
	vars := map[string]string{"SDLKIT_PASSWORD": testPassword, "CI": "true"}
	for k, v := range env {
		vars[k] = v
	}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	expanded := make([]string, len(args))
	for i, a := range args {
		expanded[i] = strings.ReplaceAll(a, "$W", w)
	}
	var out, errOut bytes.Buffer
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("sdlkit %q panicked: %v\n%s", expanded, r, debug.Stack())
		}
	}()
	code = runEnv(ctx, expanded, stdio{in: strings.NewReader(""), out: &out, err: &errOut}, lookup)
	return code, out.String(), errOut.String()
}

// fileClass is a class of bad input file. path gives the file to pass for
// a slot whose bad file is called name ("$W/"+name, "/dev/zero", …); make,
// if set, creates it at the expanded path from the slot's valid content and
// a valid file of another kind.
type fileClass struct {
	name string
	path func(name string) string
	make func(t *testing.T, path string, valid, other []byte)
}

func inW(name string) string { return "$W/" + name }

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The classes of bad files.
var (
	missing   = fileClass{name: "missing", path: inW}
	empty     = fileClass{"empty", inW, func(t *testing.T, p string, _, _ []byte) { writeFile(t, p, nil) }}
	directory = fileClass{"directory", inW, func(t *testing.T, p string, _, _ []byte) {
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}}
	fifo = fileClass{"fifo", inW, func(t *testing.T, p string, _, _ []byte) {
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}}
	devZero   = fileClass{name: "dev-zero", path: func(string) string { return "/dev/zero" }}
	oversized = fileClass{"oversized", inW, func(t *testing.T, p string, _, _ []byte) {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(sparseSize); err != nil {
			t.Fatal(err)
		}
	}}
	truncated = fileClass{"truncated", inW, func(t *testing.T, p string, valid, _ []byte) {
		writeFile(t, p, valid[:len(valid)/2])
	}}
	wrongFormat = fileClass{"wrong-format", inW, func(t *testing.T, p string, _, other []byte) {
		writeFile(t, p, other)
	}}
	nonUTF8 = fileClass{"non-utf8", inW, func(t *testing.T, p string, valid, _ []byte) {
		n := len(valid) / 2
		writeFile(t, p, append(append(bytes.Clone(valid[:n]), 0xff, 0xfe), valid[n:]...))
	}}
	ctlInName = fileClass{name: "control-chars-in-name", path: func(string) string { return inW(ctlName) }}
	nlInName  = fileClass{name: "newline-in-name", path: func(string) string { return inW(nlName) }}
	notDir    = fileClass{"regular-file", inW, func(t *testing.T, p string, _, _ []byte) {
		writeFile(t, p, []byte("not a directory\n"))
	}}
)

// smallInput are the classes for inputs read whole (keys, bundles, …);
// artifact those for files that are hashed; dirInput those for a release
// directory.
var (
	smallInput = []fileClass{missing, empty, directory, fifo, devZero, oversized, truncated, wrongFormat, nonUTF8, ctlInName, nlInName}
	artifact   = []fileClass{missing, directory, fifo, devZero, ctlInName, nlInName}
	dirInput   = []fileClass{missing, notDir, fifo, devZero, ctlInName, nlInName}
)

// slot is one input of a command line, marked "{}" in args.
type slot struct {
	// file is the fixture whose content the classes start from.
	file string
	// other is a fixture of another kind, for the wrong-format class.
	other string
	// classes are the classes to try.
	classes []fileClass
	// exit is the code a class must give, by class name (default 2).
	exit map[string]int
	env  map[string]string
}

// slotRows crosses one input slot of a command line with its classes of bad
// files: one row per class, each expecting the error to name the file.
func slotRows(f *fixtures, args []string, s slot) []badInputRow {
	var rows []badInputRow
	var words []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") || strings.ContainsAny(a, "${}") || len(words) == 2 {
			break
		}
		words = append(words, a)
	}
	cmd := strings.Join(words, " ")
	for _, c := range s.classes {
		path := c.path("bad-" + filepath.Base(s.file))
		row := badInputRow{
			name: cmd + "/" + s.file + "/" + c.name,
			env:  s.env,
			exit: 2,
			want: escaped(path),
		}
		if code, ok := s.exit[c.name]; ok {
			row.exit = code
		}
		for _, a := range args {
			row.args = append(row.args, strings.ReplaceAll(a, "{}", path))
		}
		if c.make != nil {
			valid, other, mk := f.files[s.file], f.files[s.other], c.make
			row.setup = func(t *testing.T, w string) { mk(t, strings.ReplaceAll(path, "$W", w), valid, other) }
		}
		rows = append(rows, row)
	}
	return rows
}

// TestBadInput runs the table. Every row must end with its exit code, one
// "sdlkit: error:" line (hints allowed) that names the bad file, no control
// characters and no panic on stderr, within its timeout, and leave the
// working folder as it was.
func TestBadInput(t *testing.T) {
	t.Parallel()
	f := newFixtures(t)
	for _, row := range badInputRows(f) {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			w := t.TempDir()
			f.copyTo(t, w)
			if row.setup != nil {
				row.setup(t, w)
			}
			before := snapshot(t, w)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			type result struct {
				code           int
				stdout, stderr string
			}
			done := make(chan result, 1)
			go func() {
				code, stdout, stderr := runCtx(t, ctx, w, row.args, row.env)
				done <- result{code, stdout, stderr}
			}()
			var got result
			select {
			case got = <-done:
			case <-time.After(90 * time.Second):
				t.Fatalf("sdlkit %q hangs", row.args)
			}
			checkOneError(t, got.stderr, strings.ReplaceAll(row.want, "$W", w), row.exit == exitFailed)
			if got.code != row.exit {
				t.Errorf("exit %d, want %d", got.code, row.exit)
			}
			if diff := cmp.Diff(before, snapshot(t, w)); diff != "" {
				t.Errorf("the working folder changed (-before +after):\n%s", diff)
			}
		})
	}
}

// checkOneError asserts that stderr is one error line naming want, plus
// hints, without control characters or a goroutine trace. When a check
// failed (facts allowed), other "sdlkit: " lines may say what was found.
func checkOneError(t *testing.T, stderr, want string, facts bool) {
	t.Helper()
	if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
		t.Fatalf("stderr has a panic or goroutine trace:\n%s", stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	errors := 0
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "sdlkit: error: "):
			errors++
			if !strings.Contains(l, want) {
				t.Errorf("error line %q does not name %q", l, want)
			}
		case strings.HasPrefix(l, "sdlkit: hint: "):
		case facts && strings.HasPrefix(l, "sdlkit: "):
		default:
			t.Errorf("stderr line %q is neither the error nor a hint", l)
		}
		if i := strings.IndexFunc(l, unicode.IsControl); i >= 0 {
			t.Errorf("stderr line %q has a control character at %d", l, i)
		}
	}
	if errors != 1 {
		t.Errorf("stderr has %d error lines, want 1:\n%s", errors, stderr)
	}
}

// fileState is what the snapshot keeps of one entry.
type fileState struct {
	Mode  fs.FileMode
	Size  int64
	MTime time.Time
	Hash  string
}

// snapshot records every entry under w: type, size, modification time and,
// for regular files that are not sparse giants, the SHA-256 of the content.
// Directories are recorded by name and type only: a temporary file made
// and removed again changes a directory's time, not what it holds.
func snapshot(t *testing.T, w string) map[string]fileState {
	t.Helper()
	snap := map[string]fileState{}
	err := filepath.WalkDir(w, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(w, p)
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fileState{Mode: info.Mode().Type()}
		if !info.IsDir() {
			st.Size, st.MTime = info.Size(), info.ModTime()
		}
		if info.Mode().IsRegular() && info.Size() < 1<<20 {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			st.Hash = hex.EncodeToString(sum[:])
		}
		snap[rel] = st
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// escaped is how an error names a file: %q quoting without the quotes.
func escaped(name string) string {
	q := strconv.Quote(name)
	return q[1 : len(q)-1]
}

// badInputRows is the table: every command of the signing, key, release
// and practices groups, and the sbom commands, against every class of bad
// input that applies.
func badInputRows(f *fixtures) []badInputRow {
	var rows []badInputRow
	add := func(r ...badInputRow) { rows = append(rows, r...) }
	keyIn := slot{file: "k.key", other: "fw.bin.sigstore.json", classes: smallInput}
	pubIn := slot{file: "k.pub", other: "p.json", classes: smallInput}
	bundleIn := slot{file: "fw.bin.sigstore.json", other: "k.pub", classes: smallInput}
	relBundle := "rel/sdlkit-release.json.sigstore.json"
	// An edited, empty or cut manifest no longer matches its signature:
	// the check ran and failed, exit 1.
	manifestIn := slot{file: "rel/sdlkit-release.json", other: "p.json", classes: smallInput, exit: map[string]int{
		"empty": 1, "fifo": 1, "truncated": 1, "wrong-format": 1, "non-utf8": 1}}

	// key generate, key public
	add(slotRows(f, []string{"key", "public", "{}"}, keyIn)...)
	add(
		badInputRow{name: "key generate/existing key", args: []string{"key", "generate", "--output-prefix", "$W/k"}, exit: 2, want: escaped("$W/k.key")},
		badInputRow{name: "key generate/existing public key only", args: []string{"key", "generate", "--output-prefix", "$W/new"},
			setup: func(t *testing.T, w string) { writeFile(t, filepath.Join(w, "new.pub"), []byte("keep me")) }, exit: 2, want: escaped("$W/new.pub")},
		badInputRow{name: "key generate/empty prefix", args: []string{"key", "generate", "--output-prefix", ""}, exit: 2, want: `--output-prefix ""`},
		badInputRow{name: "key generate/directory prefix", args: []string{"key", "generate", "--output-prefix", "$W/kd/"}, exit: 2, want: escaped("$W/kd/")},
		badInputRow{name: "key generate/missing directory", args: []string{"key", "generate", "--output-prefix", "$W/nodir/k"}, exit: 2, want: escaped("$W/nodir/k.key")},
		badInputRow{name: "key generate/empty password", args: []string{"key", "generate", "--output-prefix", "$W/new"},
			env: map[string]string{"SDLKIT_PASSWORD": ""}, exit: 2, want: "SDLKIT_PASSWORD is set but empty"},
		badInputRow{name: "key public/trailing garbage", args: []string{"key", "public", "$W/bad.pub"}, exit: 2, want: escaped("$W/bad.pub"),
			setup: func(t *testing.T, w string) {
				writeFile(t, filepath.Join(w, "bad.pub"), append(f.files["k.pub"], "garbage\n"...))
			}},
		badInputRow{name: "key public/two keys", args: []string{"key", "public", "$W/bad.pub"}, exit: 2, want: "more than one PEM block",
			setup: func(t *testing.T, w string) {
				writeFile(t, filepath.Join(w, "bad.pub"), append(bytes.Clone(f.files["k2.pub"]), f.files["k.pub"]...))
			}},
		badInputRow{name: "key public/text before the key", args: []string{"key", "public", "$W/bad.pub"}, exit: 2, want: escaped("$W/bad.pub"),
			setup: func(t *testing.T, w string) {
				writeFile(t, filepath.Join(w, "bad.pub"), append([]byte("key:\n"), f.files["k.pub"]...))
			}},
		badInputRow{name: "key public/wrong password", args: []string{"key", "public", "$W/k.key"}, env: map[string]string{"SDLKIT_PASSWORD": "wrong"}, exit: 2, want: escaped("$W/k.key")},
	)

	// sign
	add(slotRows(f, []string{"sign", "$W/fw.bin", "--key", "{}"}, keyIn)...)
	add(slotRows(f, []string{"sign", "{}", "--key", "$W/k.key"}, slot{file: "fw.bin", classes: artifact})...)
	sign := func(name string, exit int, want string, args ...string) badInputRow {
		return badInputRow{name: "sign/" + name, args: append([]string{"sign"}, args...), exit: exit, want: want}
	}
	add(
		sign("bundle is the artifact", 2, escaped("$W/fw.bin"), "$W/fw.bin", "--key", "$W/k.key", "--bundle", "$W/fw.bin"),
		sign("bundle is the key", 2, escaped("$W/k.key"), "$W/fw.bin", "--key", "$W/k.key", "--bundle", "$W/k.key"),
		sign("bundle is the next artifact", 2, escaped("$W/fw.bin.sigstore.json"), "$W/fw.bin", "$W/fw.bin.sigstore.json", "--key", "$W/k.key"),
		sign("second artifact missing", 2, escaped("$W/nope.bin"), "$W/notes.txt", "$W/nope.bin", "--key", "$W/k.key"),
		sign("bundle in missing directory", 2, escaped("$W/nodir/b.json"), "$W/notes.txt", "--key", "$W/k.key", "--bundle", "$W/nodir/b.json"),
		sign("bundle under a file", 2, escaped("$W/fw.bin/b.json"), "$W/notes.txt", "--key", "$W/k.key", "--bundle", "$W/fw.bin/b.json"),
		sign("bundle is a directory", 2, escaped("$W/rel"), "$W/notes.txt", "--key", "$W/k.key", "--bundle", "$W/rel"),
		sign("key and keyless", 2, "[key keyless]", "$W/fw.bin", "--key", "$W/k.key", "--keyless"),
		sign("key and oidc token", 2, "[key oidc-token]", "$W/fw.bin", "--key", "$W/k.key", "--oidc-token", "x"),
		sign("key and fulcio url", 2, "fulcio-url", "$W/fw.bin", "--key", "$W/k.key", "--fulcio-url", "https://fulcio.example"),
		sign("no key", 2, "[key keyless]", "$W/fw.bin"),
		sign("empty key", 2, "--key", "$W/fw.bin", "--key", ""),
		sign("one bundle for two files", 2, "--bundle", "$W/fw.bin", "$W/notes.txt", "--key", "$W/k.key", "--bundle", "$W/b.json"),
		badInputRow{name: "sign/bundle is a link to the artifact", args: []string{"sign", "$W/fw.bin", "--key", "$W/k.key", "--bundle", "$W/link.json"},
			setup: func(t *testing.T, w string) {
				if err := os.Symlink(filepath.Join(w, "fw.bin"), filepath.Join(w, "link.json")); err != nil {
					t.Fatal(err)
				}
			}, exit: 2, want: escaped("$W/fw.bin")},
		badInputRow{name: "sign/two keys in the key file", args: []string{"sign", "$W/notes.txt", "--key", "$W/two.key"}, exit: 2, want: escaped("$W/two.key"),
			setup: func(t *testing.T, w string) {
				writeFile(t, filepath.Join(w, "two.key"), append(bytes.Clone(f.files["k.key"]), f.files["k2.key"]...))
			}},
		badInputRow{name: "sign/wrong password", args: []string{"sign", "$W/notes.txt", "--key", "$W/k.key"}, env: map[string]string{"SDLKIT_PASSWORD": "wrong"}, exit: 2, want: escaped("$W/k.key")},
		badInputRow{name: "sign/empty password", args: []string{"sign", "$W/notes.txt", "--key", "$W/k.key"}, env: map[string]string{"SDLKIT_PASSWORD": ""}, exit: 2, want: escaped("$W/k.key")},
	)

	// attest
	attestArgs := func(artifact, predicate string, more ...string) []string {
		return append([]string{"attest", artifact, "--predicate", predicate, "--type", "custom", "--key", "$W/k.key", "--bundle", "$W/out.json"}, more...)
	}
	add(slotRows(f, attestArgs("{}", "$W/p.json"), slot{file: "fw.bin", classes: artifact})...)
	add(slotRows(f, attestArgs("$W/fw.bin", "{}"), slot{file: "p.json", other: "k.pub", classes: smallInput})...)
	add(slotRows(f, []string{"attest", "$W/fw.bin", "--predicate", "$W/p.json", "--type", "custom", "--key", "{}", "--bundle", "$W/out.json"}, keyIn)...)
	add(
		badInputRow{name: "attest/bundle is the predicate", args: attestArgs("$W/fw.bin", "$W/p.json", "--bundle", "$W/p.json"), exit: 2, want: escaped("$W/p.json")},
		badInputRow{name: "attest/bundle is the artifact", args: attestArgs("$W/fw.bin", "$W/p.json", "--bundle", "$W/fw.bin"), exit: 2, want: escaped("$W/fw.bin")},
		badInputRow{name: "attest/bundle in missing directory", args: attestArgs("$W/fw.bin", "$W/p.json", "--bundle", "$W/nodir/b.json"), exit: 2, want: escaped("$W/nodir/b.json")},
		badInputRow{name: "attest/predicate is an array", args: attestArgs("$W/fw.bin", "$W/a.json"), exit: 2, want: escaped("$W/a.json"),
			setup: func(t *testing.T, w string) { writeFile(t, filepath.Join(w, "a.json"), []byte("[1, 2]")) }},
		badInputRow{name: "attest/unknown type", args: []string{"attest", "$W/fw.bin", "--predicate", "$W/p.json", "--type", "sbom", "--key", "$W/k.key"}, exit: 2, want: `"sbom"`},
		badInputRow{name: "attest/no predicate", args: []string{"attest", "$W/fw.bin", "--type", "custom", "--key", "$W/k.key"}, exit: 2, want: "--predicate"},
		badInputRow{name: "attest/key and keyless", args: attestArgs("$W/fw.bin", "$W/p.json", "--keyless"), exit: 2, want: "[key keyless]"},
	)

	// verify
	verifyArgs := func(artifact, key, bundle string, more ...string) []string {
		return append([]string{"verify", artifact, "--key", key, "--bundle", bundle}, more...)
	}
	add(slotRows(f, verifyArgs("{}", "$W/k.pub", "$W/fw.bin.sigstore.json"), slot{file: "fw.bin", classes: artifact})...)
	add(slotRows(f, verifyArgs("$W/fw.bin", "{}", "$W/fw.bin.sigstore.json"), pubIn)...)
	add(slotRows(f, verifyArgs("$W/fw.bin", "$W/k.pub", "{}"), bundleIn)...)
	add(slotRows(f, verifyArgs("$W/fw.bin", "$W/k.pub", "$W/fw.bin.sigstore.json", "--trusted-root", "{}"), slot{file: "root.json", other: "k.pub", classes: smallInput})...)
	add(
		badInputRow{name: "verify/another key", args: verifyArgs("$W/fw.bin", "$W/k2.pub", "$W/fw.bin.sigstore.json"), exit: 1, want: "fw.bin"},
		badInputRow{name: "verify/another file", args: verifyArgs("$W/notes.txt", "$W/k.pub", "$W/fw.bin.sigstore.json"), exit: 1, want: "notes.txt"},
		badInputRow{name: "verify/two keys in the key file", args: verifyArgs("$W/fw.bin", "$W/two.pub", "$W/fw.bin.sigstore.json"), exit: 2, want: escaped("$W/two.pub"),
			setup: func(t *testing.T, w string) {
				writeFile(t, filepath.Join(w, "two.pub"), append(bytes.Clone(f.files["k.pub"]), f.files["k2.pub"]...))
			}},
		badInputRow{name: "verify/key and identity", args: verifyArgs("$W/fw.bin", "$W/k.pub", "$W/fw.bin.sigstore.json", "--certificate-identity", "x"), exit: 2, want: "certificate-identity"},
		badInputRow{name: "verify/identity and identity regexp", args: []string{"verify", "$W/fw.bin", "--certificate-identity", "x", "--certificate-identity-regexp", "y", "--certificate-oidc-issuer", "z"}, exit: 2, want: "certificate-identity-regexp"},
		badInputRow{name: "verify/no policy", args: []string{"verify", "$W/fw.bin"}, exit: 2, want: "--key"},
		badInputRow{name: "verify/unknown format", args: verifyArgs("$W/fw.bin", "$W/k.pub", "$W/fw.bin.sigstore.json", "--format", "xml"), exit: 2, want: `"xml"`},
		badInputRow{name: "verify/bad digest", args: verifyArgs("sha256:12", "$W/k.pub", "$W/fw.bin.sigstore.json"), exit: 2, want: "sha256:12"},
	)

	// release sign
	relSign := func(name string, exit int, want string, more ...string) badInputRow {
		return badInputRow{name: "release sign/" + name, args: append([]string{"release", "sign", "$W/rel", "--key", "$W/k.key"}, more...), exit: exit, want: want}
	}
	add(slotRows(f, []string{"release", "sign", "{}", "--key", "$W/k.key"}, slot{file: "rel", classes: dirInput})...)
	add(slotRows(f, []string{"release", "sign", "$W/rel", "--key", "{}"}, keyIn)...)
	add(
		relSign("manifest is a release file", 2, escaped("$W/rel/bin/fw.bin"), "--manifest", "$W/rel/bin/fw.bin"),
		relSign("bundle is a release file", 2, escaped("$W/rel/README.txt"), "--bundle", "$W/rel/README.txt"),
		relSign("manifest is the key", 2, escaped("$W/k.key"), "--manifest", "$W/k.key"),
		relSign("manifest and bundle the same", 2, escaped("$W/m.json"), "--manifest", "$W/m.json", "--bundle", "$W/m.json"),
		relSign("manifest is the directory", 2, escaped("$W/rel"), "--manifest", "$W/rel"),
		relSign("bundle in missing directory", 2, escaped("$W/nodir/b.json"), "--bundle", "$W/nodir/b.json"),
		relSign("manifest in missing directory", 2, escaped("$W/nodir/m.json"), "--manifest", "$W/nodir/m.json"),
		relSign("bundle to stdout", 2, "--bundle -", "--bundle", "-"),
		relSign("key and keyless", 2, "[key keyless]", "--keyless"),
		badInputRow{name: "release sign/wrong password", args: []string{"release", "sign", "$W/rel", "--key", "$W/k.key"}, env: map[string]string{"SDLKIT_PASSWORD": "wrong"}, exit: 2, want: escaped("$W/k.key")},
		badInputRow{name: "release sign/symbolic link in the release", args: []string{"release", "sign", "$W/rel", "--key", "$W/k.key"}, exit: 2, want: "link.txt",
			setup: func(t *testing.T, w string) {
				if err := os.Symlink("README.txt", filepath.Join(w, "rel", "link.txt")); err != nil {
					t.Fatal(err)
				}
			}},
		badInputRow{name: "release sign/named pipe in the release", args: []string{"release", "sign", "$W/rel", "--key", "$W/k.key"}, exit: 2, want: "pipe",
			setup: func(t *testing.T, w string) {
				if err := syscall.Mkfifo(filepath.Join(w, "rel", "pipe"), 0o644); err != nil {
					t.Fatal(err)
				}
			}},
	)

	// release verify
	relVerify := []string{"release", "verify", "$W/rel", "--key", "$W/k.pub"}
	add(slotRows(f, []string{"release", "verify", "{}", "--key", "$W/k.pub"}, slot{file: "rel", classes: dirInput})...)
	add(slotRows(f, append(relVerify, "--manifest", "{}", "--bundle", "$W/"+relBundle), manifestIn)...)
	add(slotRows(f, append(relVerify, "--bundle", "{}"), slot{file: relBundle, other: "k.pub", classes: smallInput})...)
	add(slotRows(f, []string{"release", "verify", "$W/rel", "--key", "{}"}, pubIn)...)
	add(slotRows(f, append(relVerify, "--trusted-root", "{}"), slot{file: "root.json", other: "k.pub", classes: smallInput})...)
	add(
		badInputRow{name: "release verify/another key", args: []string{"release", "verify", "$W/rel", "--key", "$W/k2.pub"}, exit: 1, want: escaped("$W/rel/sdlkit-release.json")},
		badInputRow{name: "release verify/edited manifest", args: relVerify, exit: 1, want: escaped("$W/rel/sdlkit-release.json"),
			setup: func(t *testing.T, w string) {
				writeFile(t, filepath.Join(w, "rel", "sdlkit-release.json"), append(bytes.Clone(f.files["rel/sdlkit-release.json"]), ' '))
			}},
		badInputRow{name: "release verify/tampered bundle", args: relVerify, exit: 1, want: escaped("$W/" + relBundle),
			setup: func(t *testing.T, w string) {
				b := bytes.Replace(f.files[relBundle], []byte(`"signature": "M`), []byte(`"signature": "N`), 1)
				if bytes.Equal(b, f.files[relBundle]) {
					t.Fatal("no signature to tamper with")
				}
				writeFile(t, filepath.Join(w, relBundle), b)
			}},
		badInputRow{name: "release verify/changed file", args: relVerify, exit: 1, want: "bin/fw.bin",
			setup: func(t *testing.T, w string) {
				writeFile(t, filepath.Join(w, "rel", "bin", "fw.bin"), []byte("firmware 1.2.1\n"))
			}},
		badInputRow{name: "release verify/key and identity", args: append(relVerify, "--certificate-identity", "x"), exit: 2, want: "certificate-identity"},
	)

	// practices
	catalog := slot{file: "cat.yaml", other: "p.json", classes: smallInput}
	add(slotRows(f, []string{"practices", "list", "--catalog", "{}"}, catalog)...)
	add(slotRows(f, []string{"practices", "show", "ACME-1", "--catalog", "{}"}, catalog)...)
	add(
		badInputRow{name: "practices list/second document", args: []string{"practices", "list", "--catalog", "$W/two.yaml"}, exit: 2, want: escaped("$W/two.yaml"),
			setup: func(t *testing.T, w string) {
				writeFile(t, filepath.Join(w, "two.yaml"), append(append(bytes.Clone(f.files["cat.yaml"]), "---\n"...), f.files["cat.yaml"]...))
			}},
		badInputRow{name: "practices list/unknown format", args: []string{"practices", "list", "--format", "xml"}, exit: 2, want: `"xml"`},
	)

	// sbom validate, diff, merge, generate.
	sbomIn := slot{file: "ok.cdx.json", other: "k.pub", classes: smallInput}
	add(slotRows(f, []string{"sbom", "validate", "{}"}, sbomIn)...)
	add(slotRows(f, []string{"sbom", "diff", "$W/ok.cdx.json", "{}"}, sbomIn)...)
	add(slotRows(f, []string{"sbom", "merge", "{}"}, sbomIn)...)
	add(slotRows(f, []string{"sbom", "generate", "{}"}, slot{file: "rel", classes: dirInput})...)
	src := func(t *testing.T, w string) {
		if err := os.MkdirAll(filepath.Join(w, "src"), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(w, "src", "go.mod"), []byte("module example.com/app\n\ngo 1.22\n"))
		writeFile(t, filepath.Join(w, "src", "go.sum"), nil)
	}
	sbomRow := func(name string, exit int, want string, setup func(*testing.T, string), args ...string) badInputRow {
		return badInputRow{name: "sbom " + args[0] + "/" + name, args: append([]string{"sbom"}, args...), exit: exit, want: want, setup: setup}
	}
	add(
		sbomRow("output in missing directory", 2, "nodir/x.json", nil, "merge", "$W/ok.cdx.json", "--name", "x", "-o", "$W/nodir/x.json"),
		sbomRow("output in missing directory", 2, "nodir/x.json", nil, "generate", "$W/rel", "-o", "$W/nodir/x.json"),
		sbomRow("output is an input", 2, escaped("$W/ok.cdx.json"), nil, "merge", "$W/ok.cdx.json", "--name", "x", "-o", "$W/ok.cdx.json"),
		sbomRow("output is the go.mod read", 2, escaped("$W/src/go.mod"), src, "generate", "$W/src", "-o", "$W/src/go.mod"),
		sbomRow("output is the go.sum read", 2, escaped("$W/src/go.sum"), src, "generate", "$W/src", "-o", "$W/src/go.sum"),
		sbomRow("output is the target file", 2, escaped("$W/src/go.mod"), src, "generate", "$W/src/go.mod", "-o", "$W/src/go.mod"),
		sbomRow("output is the artifact", 2, escaped("$W/fw.bin"), src, "generate", "$W/src", "--artifact", "$W/fw.bin", "-o", "$W/fw.bin"),
		sbomRow("spdx with a CycloneDX version", 2, "--spec-version", src, "generate", "$W/src", "--format", "spdx-json", "--spec-version", "1.5"),
		sbomRow("a file that is no lockfile", 2, escaped("$W/notes.txt"), nil, "generate", "$W/notes.txt"),
		sbomRow("path-like package name", 2, "../../etc/passwd", func(t *testing.T, w string) {
			if err := os.MkdirAll(filepath.Join(w, "npm"), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(w, "npm", "package-lock.json"), []byte(`{"lockfileVersion": 3, "packages": {"node_modules/../../etc/passwd": {"version": "6.6.6"}}}`))
		}, "generate", "$W/npm"),
		sbomRow("invalid UTF-8 in a string", 2, escaped("$W/bad.cdx.json"), func(t *testing.T, w string) {
			writeFile(t, filepath.Join(w, "bad.cdx.json"), []byte("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"components\":[{\"type\":\"library\",\"name\":\"a\xff\",\"version\":\"1\"}]}"))
		}, "diff", "$W/ok.cdx.json", "$W/bad.cdx.json"),
	)
	add(vulnRows(f)...)
	add(ledgerRows(f)...)
	add(policyRows(f)...)
	add(runRows(f)...)
	add(advisoryRows(f)...)
	return rows
}

// vulnRows are the rows of the advisory store, scan and vex commands. The
// fixtures hold a store (db/) of the sample npm advisories, the export it
// came from, a signed snapshot of it and an OpenVEX document; a failed
// import must leave the store as it was, which the folder's snapshot
// checks.
func vulnRows(f *fixtures) []badInputRow {
	var rows []badInputRow
	add := func(r ...badInputRow) { rows = append(rows, r...) }
	db := []string{"--db", "$W/db"}
	row := func(name string, exit int, want string, setup func(*testing.T, string), args ...string) badInputRow {
		return badInputRow{name: strings.Join(args[:min(2, len(args))], " ") + "/" + name, args: args, exit: exit, want: want, setup: setup}
	}
	withoutDir := func(classes []fileClass) []fileClass {
		var out []fileClass
		for _, c := range classes {
			if c.name != "directory" {
				out = append(out, c)
			}
		}
		return out
	}
	// A directory is a valid source of OSV files (an empty one adds none),
	// and a valid scan target.
	exportIn := slot{file: "npm-all.zip", other: "ok.cdx.json", classes: withoutDir(smallInput)}
	add(slotRows(f, append([]string{"advisories", "import", "{}"}, db...), exportIn)...)
	add(slotRows(f, append([]string{"advisories", "import", "$W/npm-all.zip", "{}"}, db...), exportIn)...)
	snapIn := slot{file: "snap.zip", other: "ok.cdx.json", classes: withoutDir(smallInput)}
	add(slotRows(f, append([]string{"advisories", "import", "{}", "--snapshot-key", "$W/k.pub"}, db...), snapIn)...)
	pubIn := slot{file: "k.pub", other: "p.json", classes: smallInput}
	add(slotRows(f, append([]string{"advisories", "import", "$W/snap.zip", "--snapshot-key", "{}"}, db...), pubIn)...)
	targetIn := slot{file: "ok.cdx.json", other: "k.pub", classes: withoutDir(smallInput)}
	add(slotRows(f, append([]string{"scan", "{}"}, db...), targetIn)...)
	vexIn := slot{file: "triage.vex.json", other: "ok.cdx.json", classes: smallInput}
	add(slotRows(f, append([]string{"scan", "$W/ok.cdx.json", "--vex", "{}"}, db...), vexIn)...)
	add(slotRows(f, []string{"vex", "show", "{}"}, vexIn)...)
	add(slotRows(f, []string{"vex", "add", "{}", "--vulnerability", "CVE-1", "--product", "pkg:npm/a@1", "--status", "fixed"}, vexIn)...)
	add(slotRows(f, []string{"scan", "$W/ok.cdx.json", "--db", "{}"}, slot{file: "db", classes: []fileClass{missing, notDir, ctlInName, nlInName}})...)

	zipOf := func(entries map[string]string) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, data := range entries {
			w, err := zw.Create(name)
			if err != nil {
				panic(err)
			}
			if _, err := w.Write([]byte(data)); err != nil {
				panic(err)
			}
		}
		if err := zw.Close(); err != nil {
			panic(err)
		}
		return buf.Bytes()
	}
	put := func(name string, data []byte) func(*testing.T, string) {
		return func(t *testing.T, w string) { writeFile(t, filepath.Join(w, name), data) }
	}
	// A snapshot with one record changed after signing: the manifest's
	// digest no longer matches the entry.
	tampered := func(t *testing.T, w string) {
		zr, err := zip.NewReader(bytes.NewReader(f.files["snap.zip"]), int64(len(f.files["snap.zip"])))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		changed := false
		for _, e := range zr.File {
			rc, err := e.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(e.Name, "records/") && !changed {
				data, changed = bytes.Replace(data, []byte(`"summary": "`), []byte(`"summary": "harmless: `), 1), true
			}
			out, err := zw.Create(e.Name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := out.Write(data); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(w, "tampered.zip"), buf.Bytes())
	}
	add(
		row("zip entry climbing out", 2, escaped("$W/evil.zip"), put("evil.zip", zipOf(map[string]string{"../../GHSA-x.json": `{"id": "GHSA-x"}`, "ok/../../../etc/x.json": "{}"})),
			append([]string{"advisories", "import", "$W/evil.zip"}, db...)...),
		row("tampered snapshot", 2, escaped("$W/tampered.zip"), tampered, append([]string{"advisories", "import", "$W/tampered.zip", "--snapshot-key", "$W/k.pub"}, db...)...),
		row("snapshot signed by another key", 2, escaped("$W/snap.zip"), nil, append([]string{"advisories", "import", "$W/snap.zip", "--snapshot-key", "$W/k2.pub"}, db...)...),
		row("snapshot without a signer policy", 2, escaped("$W/snap.zip"), nil, append([]string{"advisories", "import", "$W/snap.zip"}, db...)...),
		row("corrupt store", 2, escaped("$W/bad-db"), func(t *testing.T, w string) {
			if err := os.Mkdir(filepath.Join(w, "bad-db"), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(w, "bad-db", "store.db"), bytes.Repeat([]byte("not a bbolt file "), 1000))
		}, "scan", "$W/ok.cdx.json", "--db", "$W/bad-db"),
		row("status of no store", 2, escaped("$W/none"), nil, "advisories", "status", "--db", "$W/none"),
		row("export of no store", 2, escaped("$W/none"), nil, "advisories", "export", "$W/out.zip", "--db", "$W/none", "--key", "$W/k.key"),
		row("export over the key", 2, escaped("$W/k.key"), nil, append([]string{"advisories", "export", "$W/k.key", "--key", "$W/k.key"}, db...)...),
		row("export over the store", 2, escaped("$W/db/store.db"), nil, append([]string{"advisories", "export", "$W/db/store.db", "--key", "$W/k.key"}, db...)...),
		row("export in missing directory", 2, escaped("$W/nodir/s.zip"), nil, append([]string{"advisories", "export", "$W/nodir/s.zip", "--key", "$W/k.key"}, db...)...),
		row("fetch from nowhere", 2, "127.0.0.1:1", nil, "advisories", "fetch", "--db", "$W/db", "--ecosystem", "npm", "--base-url", "http://127.0.0.1:1"),
		row("output is the target", 2, escaped("$W/ok.cdx.json"), nil, append([]string{"scan", "$W/ok.cdx.json", "-o", "$W/ok.cdx.json"}, db...)...),
		row("output is the VEX", 2, escaped("$W/triage.vex.json"), nil, append([]string{"scan", "$W/ok.cdx.json", "--vex", "$W/triage.vex.json", "-o", "$W/triage.vex.json"}, db...)...),
		row("output is the store", 2, escaped("$W/db/store.db"), nil, append([]string{"scan", "$W/ok.cdx.json", "-o", "$W/db/store.db"}, db...)...),
		row("output in missing directory", 2, escaped("$W/nodir/r.json"), nil, append([]string{"scan", "$W/ok.cdx.json", "-o", "$W/nodir/r.json"}, db...)...),
		row("SBOM that is not JSON", 2, escaped("$W/bad.cdx.json"), put("bad.cdx.json", []byte("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\",\n\"components\": [}")),
			append([]string{"scan", "$W/bad.cdx.json"}, db...)...),
		row("create over a document", 2, escaped("$W/triage.vex.json"), nil, "vex", "create", "$W/triage.vex.json", "--author", "x"),
		row("add to a CycloneDX document", 2, escaped("$W/ok.cdx.json"), nil, "vex", "add", "$W/ok.cdx.json", "--vulnerability", "CVE-1", "--product", "pkg:npm/a@1", "--status", "fixed"),
		row("add without justification", 2, escaped("$W/triage.vex.json"), nil, "vex", "add", "$W/triage.vex.json", "--vulnerability", "CVE-1", "--product", "pkg:npm/a@1", "--status", "not_affected"),
	)
	return rows
}

// TestInterrupt starts long work in process, cancels its context after 200
// ms as a signal would, and requires exit 130 within a second of the
// cancel (plus the key decryption, which cannot be interrupted, where the
// cancel may fall into it), one error line, and no output left behind:
// hashing a terabyte, and waiting on a named pipe whose writer sends
// nothing more.
func TestInterrupt(t *testing.T) {
	f := newFixtures(t)
	// Decrypting the private key (scrypt) cannot be interrupted; where the
	// cancel falls into it, the run ends that much later. Measure it.
	start := time.Now()
	if code, _, stderr := runIn(t, f.dir, []string{"key", "public", "$W/k.key"}, nil); code != 0 {
		t.Fatalf("key public: %s", stderr)
	}
	decrypt := time.Since(start)
	tests := []struct {
		name       string
		args       []string
		privateKey bool
		setup      func(t *testing.T, w string)
	}{
		{"sign", []string{"sign", "$W/huge.bin", "--key", "$W/k.key"}, true, nil},
		{"attest", []string{"attest", "$W/huge.bin", "--predicate", "$W/p.json", "--type", "custom", "--key", "$W/k.key"}, true, nil},
		{"verify", []string{"verify", "$W/huge.bin", "--key", "$W/k.pub", "--bundle", "$W/fw.bin.sigstore.json"}, false, nil},
		{"release sign", []string{"release", "sign", "$W/big", "--key", "$W/k.key"}, true, nil},
		{"run", []string{"run", "--artifact", "$W/huge.bin", "--key", "$W/k.key", "--version", "1", "--db", "$W/db", "--ledger", "$W/ev.git",
			"--evidence-dir", "$W/out", "--max-age", "off"}, true, nil},
		{"release verify", []string{"release", "verify", "$W/big", "--key", "$W/k.pub", "--manifest", "$W/big.json"}, false, func(t *testing.T, w string) {
			// A signed manifest that lists the huge file with its size, so
			// that verify hashes it.
			zero := strings.Repeat("0", 64)
			m := fmt.Sprintf(`{"mediaType":"application/vnd.sdlkit.release-manifest+json;version=1","files":[{"path":"huge.bin","size":%d,"digest":{"sha256":"%s","sha512":"%s"}}]}`, int64(sparseSize), zero, zero+zero)
			writeFile(t, filepath.Join(w, "big.json"), []byte(m))
			if code, _, stderr := runIn(t, w, []string{"sign", "$W/big.json", "--key", "$W/k.key"}, nil); code != 0 {
				t.Fatalf("sign manifest: %s", stderr)
			}
		}},
		{"key public from a stalled pipe", []string{"key", "public", "$W/stalled.key"}, false, func(t *testing.T, w string) {
			p := filepath.Join(w, "stalled.key")
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
			// A writer that holds the pipe open and sends one line only.
			writer, err := os.OpenFile(p, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { writer.Close() })
			if _, err := writer.WriteString("-----BEGIN PUBLIC KEY-----\n"); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := t.TempDir()
			f.copyTo(t, w)
			for _, p := range []string{filepath.Join(w, "huge.bin"), filepath.Join(w, "big", "huge.bin")} {
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				oversized.make(t, p, nil, nil)
			}
			if tt.setup != nil {
				tt.setup(t, w)
			}
			before := snapshot(t, w)
			ctx, cancel := context.WithCancel(context.Background())
			var cancelled time.Time
			timer := time.AfterFunc(200*time.Millisecond, func() { cancelled = time.Now(); cancel() })
			defer timer.Stop()
			code, _, stderr := runCtx(t, ctx, w, tt.args, nil)
			took := time.Since(cancelled)
			if cancelled.IsZero() {
				t.Fatalf("sdlkit returned %d before the cancel: %s", code, stderr)
			}
			limit := time.Second
			if tt.privateKey {
				limit += decrypt
			}
			if code != exitInterrupted || took > limit {
				t.Errorf("exit %d %v after the cancel, want %d within %v", code, took.Round(time.Millisecond), exitInterrupted, limit.Round(time.Millisecond))
			}
			// release verify says what it verified before hashing began.
			checkOneError(t, stderr, "", true)
			if diff := cmp.Diff(before, snapshot(t, w)); diff != "" {
				t.Errorf("the working folder changed (-before +after):\n%s", diff)
			}
		})
	}
}

// mainEnv makes the test binary run sdlkit's own main, signal handling
// included, instead of the tests: TestSignal starts it as a child process.
const mainEnv = "SDLKIT_TEST_RUN_MAIN"

func init() {
	if os.Getenv(mainEnv) == "1" {
		main()
	}
}

// TestSignal sends SIGTERM and SIGINT to a real sdlkit process that hashes
// a terabyte, and requires exit 130 within a second.
func TestSignal(t *testing.T) {
	f := newFixtures(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			w := t.TempDir()
			f.copyTo(t, w)
			huge := filepath.Join(w, "huge.bin")
			oversized.make(t, huge, nil, nil)
			cmd := exec.Command(exe, "verify", huge, "--key", filepath.Join(w, "k.pub"), "--bundle", filepath.Join(w, "fw.bin.sigstore.json"))
			cmd.Env = append(os.Environ(), mainEnv+"=1", "CI=true")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitHashing(t, cmd.Process.Pid)
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-exited
				t.Fatalf("sdlkit still runs 5s after %v", sig)
			}
			took := time.Since(sent)
			if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || took > time.Second {
				t.Errorf("exit %d (%v) %v after %v, want %d within 1s", code, cmd.ProcessState, took.Round(time.Millisecond), sig, exitInterrupted)
			}
			checkOneError(t, stderr.String(), escaped(huge), false)
		})
	}
}

// waitHashing waits until process pid has read 64 MiB, so that the signal
// reaches it while it hashes, after its signal handler is installed. Where
// /proc is missing it waits two seconds instead.
func waitHashing(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
		if err != nil {
			time.Sleep(2 * time.Second)
			return
		}
		for _, line := range strings.Split(string(data), "\n") {
			if n, ok := strings.CutPrefix(line, "rchar: "); ok {
				if read, _ := strconv.ParseInt(n, 10, 64); read > 64<<20 {
					return
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the child did not start hashing within 30s")
}

// TestOneLineEscapes checks the last guard of the one-line rule: whatever
// an error carries (a file name, a line of a file), report prints one
// line without control characters or invalid UTF-8.
func TestOneLineEscapes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"read a\nb: bad\n":         "read a; b: bad",
		"name fw\x1b[31m\a.bin":    `name fw\x1b[31m\a.bin`,
		"latin1 caf\xe9 \u00e9":    `latin1 caf\xe9 é`,
		"kept \uFFFD replacement":  "kept \uFFFD replacement",
		"tabs\tand\rreturns fold":  "tabs and returns fold",
		"del \x7f and nul \x00 go": `del \x7f and nul \x00 go`,
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}
