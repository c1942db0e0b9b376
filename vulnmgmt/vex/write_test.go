package vex_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ovex "github.com/openvex/go-vex/pkg/vex"

	"github.com/sdlkit/sdlkit/internal/jsonschema"
	"github.com/sdlkit/sdlkit/vulnmgmt/vex"
)

func statement(id, product string, status ovex.Status) ovex.Statement {
	return ovex.Statement{
		Vulnerability: ovex.Vulnerability{Name: ovex.VulnerabilityID(id)},
		Products:      []ovex.Product{{Component: ovex.Component{ID: product}}},
		Status:        status,
	}
}

// TestWriteOpenVEX writes a document with a statement of each status and
// checks it against the OpenVEX 0.2.0 schema, reads it back with sdlkit's
// reader and extends it.
func TestWriteOpenVEX(t *testing.T) {
	t.Parallel()
	schema, err := jsonschema.Compile(os.DirFS(filepath.Join("testdata", "openvex-schema")), "https://github.com/openvex/spec/", "openvex_json_schema.json")
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	doc, err := vex.NewDocument("Example Controls PSIRT <psirt@example.com>", "supplier", created)
	if err != nil {
		t.Fatal(err)
	}
	na := statement("CVE-2022-0235", "pkg:npm/node-fetch@2.7.0", vex.NotAffected)
	na.Justification = ovex.VulnerableCodeNotInExecutePath
	affected := statement("GHSA-3h5v-q93c-6h6q", "pkg:npm/ws@7.5.9", vex.Affected)
	affected.ActionStatement = "upgrade ws to 7.5.10 in firmware 4.2.1"
	withSub := statement("GO-2026-5932", "pkg:generic/plc-firmware@4.2.0", vex.UnderInvestigation)
	withSub.Products[0].Subcomponents = []ovex.Subcomponent{{Component: ovex.Component{ID: "pkg:golang/golang.org/x/crypto@v0.54.0"}}}
	for _, s := range []ovex.Statement{na, affected, withSub, statement("CVE-2021-3803", "pkg:npm/nth-check@1.0.2", vex.Fixed)} {
		if err := vex.Add(doc, s, created); err != nil {
			t.Fatal(err)
		}
	}
	var first bytes.Buffer
	if err := vex.WriteOpenVEX(&first, doc); err != nil {
		t.Fatal(err)
	}
	checkSchema(t, schema, first.Bytes())
	broken := bytes.Replace(first.Bytes(), []byte(`"status": "fixed"`), []byte(`"status": "wontfix"`), 1)
	var brokenDoc any
	if err := json.Unmarshal(broken, &brokenDoc); err != nil {
		t.Fatal(err)
	}
	if f, err := schema.Validate(brokenDoc); err != nil || len(f) == 0 {
		t.Errorf("the schema passes a status of wontfix (%v)", err)
	}

	// sdlkit reads what it wrote: four statements, sources named.
	stmts, err := vex.Parse(first.Bytes(), "triage.vex.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 4 || stmts[0].Format != "openvex" || !strings.HasPrefix(stmts[0].Source, "triage.vex.json") {
		t.Fatalf("read back %d statements: %+v", len(stmts), stmts)
	}

	// Extended a day later: version 2, last_updated set, the id kept.
	doc2, err := vex.ReadOpenVEX(first.Bytes(), "triage.vex.json")
	if err != nil {
		t.Fatal(err)
	}
	later := created.Add(24 * time.Hour)
	if err := vex.Add(doc2, statement("CVE-2023-44270", "pkg:npm/postcss@7.0.39", vex.UnderInvestigation), later); err != nil {
		t.Fatal(err)
	}
	vex.Touch(doc2, later)
	var second bytes.Buffer
	if err := vex.WriteOpenVEX(&second, doc2); err != nil {
		t.Fatal(err)
	}
	checkSchema(t, schema, second.Bytes())
	var a, b struct {
		ID          string `json:"@id"`
		Version     int
		Timestamp   string
		LastUpdated string `json:"last_updated"`
		Statements  []json.RawMessage
	}
	if err := json.Unmarshal(first.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(second.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || b.ID != a.ID || a.Version != 1 || b.Version != 2 || b.Timestamp != a.Timestamp || b.LastUpdated != "2026-12-07T09:00:00Z" || len(b.Statements) != 5 {
		t.Errorf("after add: id %q→%q, version %d→%d, timestamp %s→%s, last_updated %q, %d statements",
			a.ID, b.ID, a.Version, b.Version, a.Timestamp, b.Timestamp, b.LastUpdated, len(b.Statements))
	}
}

func checkSchema(t *testing.T, s *jsonschema.Schema, data []byte) {
	t.Helper()
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	findings, err := s.Validate(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Errorf("OpenVEX schema: %s", f)
	}
}

// TestAddRefuses keeps OpenVEX's rules: what a statement of each status
// must and must not have, products as package URLs.
func TestAddRefuses(t *testing.T) {
	t.Parallel()
	noJustification := statement("CVE-2022-0235", "pkg:npm/node-fetch@2.7.0", vex.NotAffected)
	noAction := statement("CVE-2022-0235", "pkg:npm/node-fetch@2.7.0", vex.Affected)
	unknownStatus := statement("CVE-2022-0235", "pkg:npm/node-fetch@2.7.0", "wontfix")
	notPURL := statement("CVE-2022-0235", "node-fetch 2.7.0", vex.Fixed)
	pathPURL := statement("CVE-2022-0235", "/usr/lib/node_modules/node-fetch", vex.Fixed)
	badJustification := statement("CVE-2022-0235", "pkg:npm/node-fetch@2.7.0", vex.NotAffected)
	badJustification.Justification = "we_think_so"
	noVuln := statement("", "pkg:npm/node-fetch@2.7.0", vex.Fixed)
	noProduct := statement("CVE-2022-0235", "pkg:npm/x@1", vex.Fixed)
	noProduct.Products = nil
	for name, s := range map[string]ovex.Statement{
		"not_affected without justification": noJustification, "affected without action": noAction,
		"unknown status": unknownStatus, "product not a purl": notPURL, "product a path": pathPURL,
		"unknown justification": badJustification, "no vulnerability": noVuln, "no product": noProduct,
	} {
		doc, err := vex.NewDocument("psirt@example.com", "", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := vex.Add(doc, s, time.Now()); err == nil {
			t.Errorf("%s: added", name)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error of several lines: %q", name, err)
		}
	}
	if _, err := vex.NewDocument("  ", "", time.Now()); err == nil {
		t.Error("a document without author was made")
	}
}

// TestReadOpenVEXRefuses extends only OpenVEX 0.2 documents.
func TestReadOpenVEXRefuses(t *testing.T) {
	t.Parallel()
	for name, file := range map[string]string{
		"OpenVEX 0.0.1": filepath.Join("testdata", "openvex", "v0.0.1.json"),
		"CycloneDX VEX": filepath.Join("testdata", "cyclonedx", "vex.json"),
		"CSAF":          filepath.Join("testdata", "csaf", "cve-2023-0044.json"),
	} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := vex.ReadOpenVEX(data, file); err == nil {
			t.Errorf("%s: read as an OpenVEX 0.2 document to extend", name)
		}
	}
	if _, err := vex.ReadOpenVEX([]byte("{"), "broken.json"); err == nil || !strings.Contains(err.Error(), "broken.json") {
		t.Errorf("truncated JSON: %v", err)
	}
}
