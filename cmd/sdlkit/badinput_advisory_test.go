package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/sdlkit/sdlkit/sbom/format"
	"github.com/sdlkit/sdlkit/vulnmgmt/csaf"
)

// Inputs of the advisory commands, added to the fixtures: a release SBOM
// with its product, a VEX and a scan result about it, a publisher, a
// valid CSAF document made from them, and an OpenPGP test key.
var advisoryFixtures = map[string]string{
	"fw.cdx.json": `{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
 "metadata": {"component": {"type": "firmware", "name": "fw", "version": "1.2.0", "purl": "pkg:generic/example/fw@1.2.0", "bom-ref": "fw"}},
 "components": [{"type": "library", "name": "ws", "version": "7.5.9", "purl": "pkg:npm/ws@7.5.9", "bom-ref": "pkg:npm/ws@7.5.9"}]}
`,
	"fw.vex.json": `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/2", "author": "psirt@example.com",
"timestamp": "2026-12-01T10:00:00Z", "version": 1, "statements": [{"vulnerability": {"name": "CVE-2024-37890"},
"products": [{"@id": "pkg:npm/ws@7.5.9"}], "status": "affected", "action_statement": "limit the request headers in the proxy"}]}
`,
	"fw-scan.json": `{"$schema": "https://sdlkit.dev/scan-result/v1", "tool": {"name": "sdlkit", "version": "test"},
"scanned_at": "2026-12-06T12:00:00Z", "target": {"source": "fw.cdx.json", "name": "fw", "version": "1.2.0", "purl": "pkg:generic/example/fw@1.2.0", "components": 1},
"findings": [{"id": "GHSA-3h5v-q93c-6h6q", "aliases": ["CVE-2024-37890"], "component": {"ref": "pkg:npm/ws@7.5.9", "name": "ws", "version": "7.5.9",
"ecosystem": "npm", "purl": "pkg:npm/ws@7.5.9"}, "severity": {"rating": "high", "score": 7.5, "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "source": "CVSS_V3"},
"fixed": ["7.5.10"], "advisories": ["GHSA-3h5v-q93c-6h6q"], "suppressed": false}]}
`,
	"psirt.json": `{"name": "Example Controls PSIRT", "namespace": "https://psirt.example.com", "category": "vendor"}
`,
}

// advisoryTestKey is an OpenPGP key made for sdlkit's tests (unencrypted, not
// secret), created 2026-01-01.
const advisoryTestKey = `-----BEGIN PGP PRIVATE KEY BLOCK-----

xVgEaVW5ABYJKwYBBAHaRw8BAQdAruFth5nJwjKMGFhMM8v49AJ7gRngTn8ZgZil
bbm95qEAAQC/Y06eFbFvr+7TKjIoIJ2w0/DlN9aZK/8zmrWKqVcUqxDozTNFeGFt
cGxlIENvbnRyb2xzIFBTSVJUIHRlc3Qga2V5IDxwc2lydEBleGFtcGxlLmNvbT7C
vQQTFggAbwWCaVW5AAILBwkQ1BeJX7z28R01FAAAAAAAHAAQc2FsdEBub3RhdGlv
bnMub3BlbnBncGpzLm9yZ0TF+zf3OyeQx9AnbeDj50kCFQgCFgACGQECmwMCHgEW
IQR87DAV+FWpP5Z/A/jUF4lfvPbxHQAAIJMA/0fnn4hXj/GpjCEaBRYbvMHvJS4O
4hwnUDyFQgsmVjcJAQDYcAwu9sF32PoW05/X2bzqb4LB7VJQJg53lEiN/difC8dd
BGlVuQASCisGAQQBl1UBBQEBB0DR97U2YRsrUfaf3aRoEAwFWMxFNPN5MBcToPfK
1F9FNQMBCgkAAP9FyfjzWAJbMm5CgpYJFxJPqC2e8FdBSQoQU6AF+9xrMA3wwq4E
GBYIAGAFgmlVuQAJENQXiV+89vEdNRQAAAAAABwAEHNhbHRAbm90YXRpb25zLm9w
ZW5wZ3Bqcy5vcmdkJstIE08OA3Hv04DboLyIApsMFiEEfOwwFfhVqT+WfwP41BeJ
X7z28R0AAIWdAP0cfp+OLm/ITiyrciDmHB1To0RT8hQTu9ZUtKd4ZvDUvgEAgCps
XVFFvfXF2diHthpWe85PN/a2MTDDUyl3faJ/lwo=
=caeO
-----END PGP PRIVATE KEY BLOCK-----
`

// advisoryRows are the rows of the advisory commands: every input slot
// crossed with the classes of bad files, and inputs about another product.
func advisoryRows(f *fixtures) []badInputRow {
	addAdvisoryFixtures(f)
	var rows []badInputRow
	add := func(r ...badInputRow) { rows = append(rows, r...) }
	row := func(name string, exit int, want string, setup func(*testing.T, string), args ...string) badInputRow {
		return badInputRow{name: "advisory " + args[1] + "/" + name, args: args, exit: exit, want: want, setup: setup}
	}
	create := func(more ...string) []string {
		return append([]string{"advisory", "create", "--publisher", "$W/psirt.json", "-o", "$W/out.json"}, more...)
	}
	base := "https://psirt.example.com/.well-known/csaf"
	add(slotRows(f, create("--sbom", "{}"), slot{file: "fw.cdx.json", other: "k.pub", classes: smallInput})...)
	add(slotRows(f, create("--sbom", "$W/fw.cdx.json", "--vex", "{}"), slot{file: "fw.vex.json", other: "k.pub", classes: smallInput})...)
	add(slotRows(f, create("--sbom", "$W/fw.cdx.json", "--scan", "{}"), slot{file: "fw-scan.json", other: "ok.cdx.json", classes: smallInput})...)
	add(slotRows(f, []string{"advisory", "create", "--sbom", "$W/fw.cdx.json", "-o", "$W/out.json", "--publisher", "{}"}, slot{file: "psirt.json", other: "k.pub", classes: smallInput})...)
	add(slotRows(f, []string{"advisory", "validate", "{}"}, slot{file: "adv.json", other: "triage.vex.json", classes: smallInput})...)
	add(slotRows(f, []string{"advisory", "update", "{}", "--summary", "x", "-o", "$W/out.json"}, slot{file: "adv.json", other: "triage.vex.json", classes: smallInput})...)
	add(slotRows(f, []string{"advisory", "publish", "$W/site", "{}", "--base-url", base}, slot{file: "adv.json", other: "triage.vex.json", classes: smallInput})...)
	// A missing directory is made: only what cannot be one is refused.
	add(slotRows(f, []string{"advisory", "publish", "{}", "$W/adv.json", "--base-url", base}, slot{file: "site", classes: []fileClass{notDir, fifo, devZero}})...)
	add(slotRows(f, []string{"advisory", "publish", "$W/site", "$W/adv.json", "--base-url", base, "--openpgp-key", "{}"}, slot{file: "psirt.asc", other: "k.pub", classes: smallInput})...)
	put := func(name, content string) func(*testing.T, string) {
		return func(t *testing.T, w string) { writeFile(t, w+"/"+name, []byte(content)) }
	}
	lodash := bytes.ReplaceAll([]byte(advisoryFixtures["fw.vex.json"]), []byte("pkg:npm/ws@7.5.9"), []byte("pkg:npm/lodash@4.17.21"))
	newer := bytes.ReplaceAll([]byte(advisoryFixtures["fw.vex.json"]), []byte("pkg:npm/ws@7.5.9"), []byte("pkg:npm/ws@8.0.0"))
	add(
		row("VEX for another product", 2, escaped("$W/other.vex.json")+`": /statements/0`, put("other.vex.json", string(lodash)), create("--sbom", "$W/fw.cdx.json", "--vex", "$W/other.vex.json")...),
		row("VEX for a version not in the SBOMs", 2, escaped("$W/new.vex.json")+`": /statements/0`, put("new.vex.json", string(newer)), create("--sbom", "$W/fw.cdx.json", "--vex", "$W/new.vex.json")...),
		row("scan of another product", 2, escaped("$W/scan.json")+`": /target`, nil, create("--sbom", "$W/fw.cdx.json", "--scan", "$W/scan.json")...),
		row("SBOM without product", 2, escaped("$W/ok.cdx.json"), nil, create("--sbom", "$W/ok.cdx.json")...),
		row("output is the SBOM", 2, escaped("$W/fw.cdx.json"), nil, "advisory", "create", "--publisher", "$W/psirt.json", "--sbom", "$W/fw.cdx.json", "-o", "$W/fw.cdx.json"),
		row("output is the VEX", 2, escaped("$W/fw.vex.json"), nil, "advisory", "create", "--publisher", "$W/psirt.json", "--sbom", "$W/fw.cdx.json", "--vex", "$W/fw.vex.json", "-o", "$W/fw.vex.json"),
		row("over an existing document", 2, escaped("$W/adv.json"), nil, "advisory", "create", "--publisher", "$W/psirt.json", "--sbom", "$W/fw.cdx.json", "-o", "$W/adv.json"),
		row("publisher without namespace", 2, escaped("$W/p.json"), put("p.json", `{"name": "x", "category": "vendor"}`), "advisory", "create", "--publisher", "$W/p.json", "--sbom", "$W/fw.cdx.json", "-o", "$W/out.json"),
		row("unknown category", 2, "csaf_informational_advisory", nil, create("--sbom", "$W/fw.cdx.json", "--category", "csaf_informational_advisory")...),
		row("not CSAF", 2, escaped("$W/triage.vex.json")+`": /document/csaf_version`, nil, "advisory", "validate", "$W/triage.vex.json"),
		row("invalid CSAF", 1, "1 of 1 documents are invalid", put("bad.json", string(invalidAdvisory(f))), "advisory", "validate", "$W/bad.json"),
		row("update output is the SBOM", 2, escaped("$W/fw.cdx.json"), nil, "advisory", "update", "$W/adv.json", "--summary", "x", "--sbom", "$W/fw.cdx.json", "-o", "$W/fw.cdx.json"),
		row("update an invalid document", 2, escaped("$W/bad.json")+`": /document/tracking/version`, put("bad.json", string(invalidAdvisory(f))), "advisory", "update", "$W/bad.json", "--summary", "x"),
		row("publish into a directory that is not a provider's", 2, "not a CSAF provider directory", nil, "advisory", "publish", "$W/rel", "$W/adv.json", "--base-url", base),
		row("publish an invalid document", 2, escaped("$W/bad.json")+`": /document/tracking/version`, put("bad.json", string(invalidAdvisory(f))), "advisory", "publish", "$W/site", "$W/bad.json", "--base-url", base),
		row("record into a missing ledger", 2, escaped("$W/nope.git"), nil, "advisory", "publish", "$W/site", "$W/adv.json", "--base-url", base, "--record", "--ledger", "$W/nope.git"),
		row("publish over http", 2, "http://psirt.example.com", nil, "advisory", "publish", "$W/site", "$W/adv.json", "--base-url", "http://psirt.example.com"),
		row("publish a changed document without a new revision", 2, escaped("$W/changed.json")+`": /document/tracking/version`, func(t *testing.T, w string) {
			if code, _, stderr := runIn(t, w, []string{"advisory", "publish", "$W/site", "$W/adv.json", "--base-url", base}, nil); code != 0 {
				t.Fatalf("publish: %s", stderr)
			}
			writeFile(t, w+"/changed.json", bytes.Replace(f.files["adv.json"], []byte(`"title": "`), []byte(`"title": "Corrected: `), 1))
		}, "advisory", "publish", "$W/site", "$W/changed.json", "--base-url", base),
	)
	return rows
}

// addAdvisoryFixtures puts the advisory inputs among the fixtures, and a
// CSAF document made from them.
func addAdvisoryFixtures(f *fixtures) {
	for name, content := range advisoryFixtures {
		f.files[name] = []byte(content)
	}
	f.files["psirt.asc"] = []byte(advisoryTestKey)
	b, err := format.Decode(bytes.NewReader(f.files["fw.cdx.json"]), "fw.cdx.json")
	if err != nil {
		panic(err)
	}
	doc, err := csaf.Create(csaf.Inputs{Releases: []csaf.Release{{BOM: b, File: "fw.cdx.json"}}}, csaf.Options{ID: "EXC-2026-0002",
		Publisher: csaf.Publisher{Name: "Example Controls PSIRT", Namespace: "https://psirt.example.com", Category: "vendor"},
		Now:       time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		panic(err)
	}
	if f.files["adv.json"], err = csaf.Marshal(doc); err != nil {
		panic(err)
	}
}

// invalidAdvisory is the fixture document with a version that is not its
// latest revision's (mandatory test 6.1.16).
func invalidAdvisory(f *fixtures) []byte {
	return bytes.Replace(f.files["adv.json"], []byte(`"version": "1"`), []byte(`"version": "7"`), 1)
}
