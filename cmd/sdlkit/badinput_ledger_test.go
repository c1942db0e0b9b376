package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ledgerRows are the rows of the ledger commands. The fixtures hold a
// ledger (ev.git, bare) with one record and a checkpoint (cp.json) signed
// with k.key. A refused record or init must leave the repository as it
// was, which the folder's snapshot checks: not even a loose object.
func ledgerRows(f *fixtures) []badInputRow {
	var rows []badInputRow
	add := func(r ...badInputRow) { rows = append(rows, r...) }
	ev := []string{"--ledger", "$W/ev.git"}
	with := func(args ...string) []string { return append(append([]string{}, args...), ev...) }
	row := func(name string, exit int, want string, setup func(*testing.T, string), args ...string) badInputRow {
		return badInputRow{name: strings.Join(args[:min(2, len(args))], " ") + "/" + name, args: args, exit: exit, want: want, setup: setup}
	}
	evidence := append(artifact, oversizedEvidence)
	add(slotRows(f, with("ledger", "record", "--requirement", "SVV-1", "--kind", "test-report", "$W/notes.txt", "{}"), slot{file: "fw.bin", classes: evidence})...)
	add(slotRows(f, with("ledger", "review", "--requirement", "SR-2", "--status", "approved", "{}"), slot{file: "fw.bin", classes: evidence})...)
	add(slotRows(f, []string{"ledger", "init", "--ledger", "$W/new.git", "--scope", "{}"}, slot{file: "scope.yaml", other: "fw.bin", classes: smallInput})...)
	add(slotRows(f, with("ledger", "verify", "--key", "$W/k.pub", "--since", "{}"), slot{file: "cp.json", other: "k.pub", classes: smallInput})...)
	add(slotRows(f, with("ledger", "verify", "--key", "{}"), slot{file: "k.pub", other: "p.json", classes: smallInput})...)
	add(slotRows(f, with("ledger", "checkpoint", "--key", "{}"), slot{file: "k.key", other: "p.json", classes: smallInput})...)
	for _, cmd := range [][]string{{"ledger", "status"}, {"ledger", "log"}, {"ledger", "verify"}} {
		add(slotRows(f, append(cmd, "--ledger", "{}"), slot{file: "ev.git", classes: dirInput})...)
	}
	escape := func(t *testing.T, w string) {
		if err := os.Symlink("/etc/passwd", filepath.Join(w, "rel", "passwd")); err != nil {
			t.Fatal(err)
		}
	}
	add(
		row("requirement not in the catalog", 2, `"SVV-42"`, nil, with("ledger", "record", "--requirement", "SVV-42", "--kind", "test-report", "$W/notes.txt")...),
		row("kind not in the catalog", 2, `"selfie"`, nil, with("ledger", "record", "--requirement", "SVV-1", "--kind", "selfie", "$W/notes.txt")...),
		row("evidence is a symlink out of the tree", 2, escaped("$W/rel/passwd"), escape, with("ledger", "record", "--requirement", "SVV-1", "--kind", "test-report", "$W/rel/passwd")...),
		row("review status unknown", 2, `"maybe"`, nil, with("ledger", "review", "--requirement", "SR-2", "--status", "maybe")...),
		row("init over a ledger", 2, escaped("$W/ev.git"), nil, with("ledger", "init", "--product", "x")...),
		row("no ledger in a repository", 2, escaped("$W/code"), gitRepo, "ledger", "status", "--ledger", "$W/code"),
		row("a branch that is not a ledger", 2, "not a ledger", gitRepo, "ledger", "status", "--ledger", "$W/code", "--ledger-branch", "main"),
		row("record id not hex", 2, `"zz;rm"`, nil, with("ledger", "show", "zz;rm")...),
		row("record id not found", 2, "0000", nil, with("ledger", "show", "0000")...),
		row("since without a key", 2, "--since", nil, with("ledger", "verify", "--since", "$W/cp.json")...),
		row("checkpoint kept by another key", 1, "checkpoint 1", nil, with("ledger", "verify", "--key", "$W/k2.pub", "--since", "$W/cp.json")...),
		row("checkpoint output over the key", 2, escaped("$W/k.key"), nil, with("ledger", "checkpoint", "--key", "$W/k.key", "-o", "$W/k.key")...),
		row("log since a non-date", 2, `"yesterday"`, nil, with("ledger", "log", "--since", "yesterday")...),
		row("record edited into invalid JSON", 1, "records/", tamperRecord("{\"format\": "), with("ledger", "verify")...),
		row("log of a record edited into invalid JSON", 2, "records/", tamperRecord("{\"format\": "), with("ledger", "log")...),
		row("record edited", 1, "a ledger only adds files", tamperRecord(""), with("ledger", "verify")...),
		row("record deleted", 1, "deleted", tamperRecord("-"), with("ledger", "verify")...),
		row("report into a missing directory", 2, escaped("$W/nodir/r.html"), nil, with("ledger", "report", "-o", "$W/nodir/r.html")...),
		row("report format unknown", 2, "pdf", nil, with("ledger", "report", "--format", "pdf")...),
		row("export into a directory that is not empty", 2, escaped("$W/rel"), nil, with("ledger", "export", "$W/rel")...),
		row("export onto a file", 2, escaped("$W/notes.txt"), nil, with("ledger", "export", "$W/notes.txt")...),
		row("verify a missing export", 2, escaped("$W/none"), nil, "ledger", "verify", "--export", "$W/none", "--key", "$W/k.pub"),
		row("verify a folder that is no export", 2, escaped("$W/rel"), nil, "ledger", "verify", "--export", "$W/rel", "--key", "$W/k.pub"),
		row("verify an export without a key", 2, "--export needs --key", nil, "ledger", "verify", "--export", "$W/rel"),
		row("sbom --record without a ledger", 2, escaped("$W/none.git"), nil, "sbom", "generate", "$W/rel", "-o", "$W/out.cdx.json", "--record", "--ledger", "$W/none.git"),
		row("sign --record without a ledger", 2, escaped("$W/none.git"), nil, "sign", "$W/notes.txt", "--key", "$W/k.key", "--record", "--ledger", "$W/none.git"),
	)
	return rows
}

// oversizedEvidence is a sparse evidence file larger than any ledger takes.
var oversizedEvidence = fileClass{"oversized", inW, func(t *testing.T, p string, _, _ []byte) {
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(sparseSize); err != nil {
		t.Fatal(err)
	}
}}

// gitRepo makes $W/code, a git repository with one commit on main and no
// ledger, with the git CLI.
func gitRepo(t *testing.T, w string) {
	dir := filepath.Join(w, "code")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "main.go"), []byte("package main\n"))
	gitIn(t, dir, "init", "-q", "-b", "main")
	gitIn(t, dir, "add", "main.go")
	gitIn(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "code")
}

// tamperRecord changes the ledger's one hand-made record as an attacker
// with git would, in a clone pushed back to ev.git: content "" appends a
// line to it, "-" deletes it, anything else replaces it.
func tamperRecord(content string) func(*testing.T, string) {
	return func(t *testing.T, w string) {
		clone := filepath.Join(t.TempDir(), "clone")
		gitIn(t, w, "clone", "-q", "-b", "sdlkit-ledger", filepath.Join(w, "ev.git"), clone)
		out, err := exec.Command("git", "-C", clone, "grep", "-l", "test-report", "--", "records").Output()
		if err != nil {
			t.Fatalf("find the record: %v", err)
		}
		rec := filepath.Join(clone, strings.TrimSpace(string(out)))
		switch content {
		case "-":
			gitIn(t, clone, "rm", "-q", strings.TrimSpace(string(out)))
		case "":
			data, err := os.ReadFile(rec)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, rec, []byte(strings.Replace(string(data), `"kind": "test-report"`, `"kind": "pentest-report"`, 1)))
		default:
			writeFile(t, rec, []byte(content))
		}
		gitIn(t, clone, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-am", "fix")
		gitIn(t, clone, "push", "-q", "origin", "sdlkit-ledger")
	}
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}
