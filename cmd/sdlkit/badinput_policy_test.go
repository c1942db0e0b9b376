package main

import (
	"strings"
	"testing"
)

// policyRows are the rows of the policy commands: a policy file, an SBOM,
// a scan result, an artifact and a bundle, each crossed with the classes
// of bad files; and policies that do not load or cannot be evaluated.
func policyRows(f *fixtures) []badInputRow {
	var rows []badInputRow
	add := func(r ...badInputRow) { rows = append(rows, r...) }
	row := func(name string, exit int, want string, setup func(*testing.T, string), args ...string) badInputRow {
		return badInputRow{name: strings.Join(args[:min(2, len(args))], " ") + "/" + name, args: args, exit: exit, want: want, setup: setup}
	}
	add(slotRows(f, []string{"policy", "check", "--policy", "{}"}, slot{file: "pol.yaml", other: "ok.cdx.json", classes: smallInput})...)
	add(slotRows(f, []string{"policy", "test", "{}"}, slot{file: "pol.yaml", other: "ok.cdx.json", classes: smallInput})...)
	add(slotRows(f, []string{"policy", "check", "--policy", "baseline", "--sbom", "{}"}, slot{file: "ok.cdx.json", other: "k.pub", classes: smallInput})...)
	add(slotRows(f, []string{"policy", "check", "--policy", "baseline", "--scan", "{}"}, slot{file: "scan.json", other: "ok.cdx.json", classes: smallInput})...)
	add(slotRows(f, []string{"policy", "check", "--policy", "baseline", "--artifact", "{}"}, slot{file: "fw.bin", classes: artifact})...)
	add(slotRows(f, []string{"policy", "check", "--policy", "baseline", "--artifact", "$W/fw.bin", "--key", "$W/k.pub", "--bundle", "{}"},
		slot{file: "fw.bin.sigstore.json", other: "p.json", classes: smallInput})...)
	put := func(name, content string) func(*testing.T, string) {
		return func(t *testing.T, w string) { writeFile(t, w+"/"+name, []byte(content)) }
	}
	head := "format: sdlkit.policy/v1\nname: p\nrules:\n  - id: r\n    action: deny\n"
	add(
		row("unknown built-in policy", 2, `"strictest"`, nil, "policy", "check", "--policy", "strictest"),
		row("rule names a missing field", 2, escaped("$W/typo.yaml")+":6:", put("typo.yaml", head+"    condition: sbom.nope\n"), "policy", "check", "--policy", "$W/typo.yaml"),
		row("rule does not compile", 2, escaped("$W/syntax.yaml")+":6:", put("syntax.yaml", head+"    condition: 'sbom.present &&'\n"), "policy", "check", "--policy", "$W/syntax.yaml"),
		row("unknown key in a rule", 2, escaped("$W/key.yaml"), put("key.yaml", head+"    when: sbom.present\n"), "policy", "check", "--policy", "$W/key.yaml"),
		row("rule fails at evaluation", 2, escaped("$W/eval.yaml")+":6: rule r could not be evaluated", put("eval.yaml", head+"    condition: ledger.requirements['SVV-3'].covered\n"),
			"policy", "check", "--policy", "$W/eval.yaml"),
		row("test file expects a field that does not exist", 2, escaped("$W/pol.test.yaml"), put("pol.test.yaml", "format: sdlkit.policy-test/v1\ntests:\n  - name: x\n    input: {artefacts: []}\n"),
			"policy", "test", "$W/pol.yaml"),
		row("bundle without a key", 2, "--key", nil, "policy", "check", "--policy", "baseline", "--artifact", "$W/fw.bin", "--bundle", "$W/fw.bin.sigstore.json"),
		row("an SBOM as the scan result", 2, escaped("$W/ok.cdx.json"), nil, "policy", "check", "--policy", "baseline", "--scan", "$W/ok.cdx.json"),
	)
	return rows
}
