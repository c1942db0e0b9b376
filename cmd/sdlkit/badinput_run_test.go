package main

import (
	"strings"
	"testing"
)

// runRows are the rows of sdlkit run and sdlkit init: every file a run
// reads (project file, artifact, key, VEX, advisory import, policy)
// crossed with the classes of bad files, and project files and flags that
// cannot be used. A run that meets bad input writes nothing: no evidence
// folder, no .incomplete, no ledger.
func runRows(f *fixtures) []badInputRow {
	var rows []badInputRow
	add := func(r ...badInputRow) { rows = append(rows, r...) }
	base := []string{"run", "--version", "1.0.0", "--db", "$W/db", "--ledger", "$W/ev.git", "--evidence-dir", "$W/out", "--max-age", "off"}
	with := func(args ...string) []string { return append(append([]string{}, base...), args...) }
	art, key := []string{"--artifact", "$W/fw.bin"}, []string{"--key", "$W/k.key"}
	add(slotRows(f, with(append(art, "--key", "{}")...), slot{file: "k.key", other: "fw.bin.sigstore.json", classes: smallInput})...)
	add(slotRows(f, with(append(key, "--artifact", "{}")...), slot{file: "fw.bin", classes: artifact})...)
	add(slotRows(f, with(append(append(art, key...), "--vex", "{}")...), slot{file: "triage.vex.json", other: "k.pub", classes: smallInput})...)
	add(slotRows(f, with(append(append(art, key...), "--policy", "{}")...), slot{file: "pol.yaml", other: "ok.cdx.json", classes: smallInput})...)
	add(slotRows(f, with(append(append(art, key...), "--config", "{}")...), slot{file: "sdlkit.yaml", other: "p.json", classes: smallInput})...)
	add(slotRows(f, with(append(append(art, key...), "--import", "{}")...),
		slot{file: "npm-all.zip", other: "p.json", classes: []fileClass{missing, empty, fifo, devZero, oversized, truncated, wrongFormat, ctlInName, nlInName}})...)
	row := func(name string, exit int, want string, setup func(*testing.T, string), args ...string) badInputRow {
		return badInputRow{name: args[0] + "/" + name, args: args, exit: exit, want: want, setup: setup}
	}
	put := func(name, content string) func(*testing.T, string) {
		return func(t *testing.T, w string) { writeFile(t, w+"/"+name, []byte(content)) }
	}
	cfg := "format: sdlkit.config/v1\nproduct: fw\n"
	add(
		row("unknown key in the project file", 2, escaped("$W/typo.yaml")+":3:1: invalid project file: unknown key \"artefacts\"",
			put("typo.yaml", cfg+"artefacts: [fw.bin]\n"), with(append(key, "--config", "$W/typo.yaml")...)...),
		row("nested unknown key", 2, escaped("$W/nested.yaml")+":4:3: invalid project file: unknown key \"signing.keyfile\"",
			put("nested.yaml", cfg+"signing:\n  keyfile: k.key\n"), with(append(art, "--config", "$W/nested.yaml")...)...),
		row("pattern in the file matches nothing", 2, escaped("$W/nomatch.yaml")+":4: artifacts: pattern \"build/*\" matches no file",
			put("nomatch.yaml", cfg+"artifacts:\n  - build/*\n"), with(append(key, "--config", "$W/nomatch.yaml")...)...),
		row("pattern flag matches nothing", 2, `--artifact: artifacts: pattern "$W/dist/*.bin" matches no file`, nil,
			with(append(key, "--artifact", "$W/dist/*.bin")...)...),
		row("malformed pattern", 2, "syntax error in pattern", nil, with(append(key, "--artifact", "$W/[")...)...),
		row("no artifacts", 2, "no artifacts", nil, with(key...)...),
		row("no signing method", 2, "no signing method", nil, with(art...)...),
		row("key and keyless", 2, "[key keyless]", nil, with(append(append(art, key...), "--keyless")...)...),
		row("wrong password", 2, "password", nil, append(with(append(art, key...)...), "--max-age", "off")...),
		row("evidence folder holds an artifact", 2, "holds or is the artifact", nil,
			"run", "--version", "1", "--artifact", "$W/rel/bin/fw.bin", "--key", "$W/k.key", "--evidence-dir", "$W/rel", "--ledger", "$W/ev.git", "--db", "$W/db"),
		row("evidence folder is a file", 2, escaped("$W/notes.txt"), nil,
			"run", "--version", "1", "--artifact", "$W/fw.bin", "--key", "$W/k.key", "--evidence-dir", "$W/notes.txt", "--ledger", "$W/ev.git", "--db", "$W/db"),
		row("bad max-age", 2, `--max-age "soon"`, nil, with(append(append(art, key...), "--max-age", "soon")...)...),
		row("version with a control character", 2, "control characters", nil, with(append(append(art, key...), "--version", "1\x1b[2J")...)...),
		row("two artifacts of one name", 2, "have one name", nil, with(append(append(art, key...), "--artifact", "$W/rel/bin/fw.bin")...)...),
		row("policy that does not compile", 2, escaped("$W/bad.yaml")+":6:",
			put("bad.yaml", "format: sdlkit.policy/v1\nname: p\nrules:\n  - id: r\n    action: deny\n    condition: artifacts.all(a, a.signd)\n"),
			with(append(append(art, key...), "--policy", "$W/bad.yaml")...)...),
		row("unknown built-in policy", 2, `"strictest"`, nil, with(append(append(art, key...), "--policy", "strictest")...)...),
		row("ledger is a regular file", 2, escaped("$W/notes.txt"), nil,
			"run", "--version", "1", "--artifact", "$W/fw.bin", "--key", "$W/k.key", "--evidence-dir", "$W/out", "--ledger", "$W/notes.txt", "--db", "$W/db", "--max-age", "off"),
		row("init over an existing file", 2, escaped("$W/sdlkit.yaml")+`": it exists`, nil, "init", "-o", "$W/sdlkit.yaml"),
		row("init with a malformed pattern", 2, "syntax error in pattern", nil, "init", "-o", "$W/new.yaml", "--artifact", "["),
	)
	for i := range rows {
		if strings.Contains(rows[i].name, "wrong password") {
			rows[i].env = map[string]string{"SDLKIT_PASSWORD": "not-the-password"}
		}
	}
	return rows
}
