package validate

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/sdlkit/sdlkit/sbom/internal/textpos"

	"github.com/sdlkit/sdlkit/sbom/format"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/tagvalue"
)

// spdxDecoder names what checks SPDX documents in place of a schema.
const spdxDecoder = "spdx/tools-golang"

// spdxIDPattern is the SPDX 2.3 idstring for element identifiers.
var spdxIDPattern = regexp.MustCompile(`^SPDXRef-[A-Za-z0-9.\-]+$`)

// validateSPDXJSON checks an SPDX 2.x JSON document: tools-golang must
// decode it, then the SPDX 2.3 required fields and the semantic rules.
func validateSPDXJSON(data []byte, obj map[string]any) (*Report, error) {
	r, err := newSPDXReport(obj, format.SPDXJSON, spdxDecoder)
	if err != nil {
		return nil, err
	}
	if _, err := spdxjson.Read(bytes.NewReader(data)); err != nil {
		r.add(SeverityError, RuleSchema, "", "decode with %s: %v", spdxDecoder, err)
	}
	checkSPDXRules(r, obj)
	return r, nil
}

// validateSPDXTagValue decodes a tag-value document with tools-golang and
// checks its JSON form.
func validateSPDXTagValue(data []byte) (*Report, error) {
	if line := textpos.InvalidUTF8Line(data); line > 0 {
		return nil, fmt.Errorf("parse spdx tag-value: line %d: %w", line, textpos.ErrInvalidUTF8)
	}
	doc, err := tagvalue.Read(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parse spdx tag-value: %w", err)
	}
	var buf bytes.Buffer
	if err := spdxjson.Write(doc, &buf); err != nil {
		return nil, fmt.Errorf("convert spdx tag-value to json: %w", err)
	}
	v, err := decodeJSON(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("convert spdx tag-value to json: %w", err)
	}
	obj, _ := v.(map[string]any)
	// tools-golang converts older versions to 2.3: report the document's own.
	obj["spdxVersion"] = tagValueVersion(data)
	r, err := newSPDXReport(obj, format.SPDXTagValue, spdxDecoder+viaJSON)
	if err != nil {
		return nil, err
	}
	checkSPDXRules(r, obj)
	return r, nil
}

// newSPDXReport starts a report, refusing SPDX versions other than 2.x.
func newSPDXReport(obj map[string]any, format format.Format, schema string) (*Report, error) {
	v, _ := obj["spdxVersion"].(string)
	version, ok := strings.CutPrefix(v, "SPDX-")
	if !ok || !strings.HasPrefix(version, "2.") {
		return nil, fmt.Errorf("%w: SPDX %q (sdlkit validates SPDX-2.x)", ErrUnsupportedVersion, v)
	}
	return &Report{Format: format, SpecVersion: version, Schema: schema}, nil
}

// tagValueVersion reads the SPDXVersion tag of a tag-value document.
func tagValueVersion(data []byte) string {
	for line := range bytes.Lines(data) {
		if v, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("SPDXVersion:")); ok {
			return string(bytes.TrimSpace(v))
		}
	}
	return ""
}

// spdxChecker holds the state of the SPDX rules.
type spdxChecker struct {
	r       *Report
	ids     map[string]string // SPDXID → where defined
	docRefs map[string]bool   // DocumentRef-… declared
}

// checkSPDXRules applies the required-field and semantic rules.
func checkSPDXRules(r *Report, doc map[string]any) {
	c := &spdxChecker{r: r, ids: map[string]string{}, docRefs: map[string]bool{}}
	c.required(doc, "", "SPDXID", "name", "documentNamespace", "dataLicense", "creationInfo")
	if lic, ok := doc["dataLicense"].(string); ok && lic != "CC0-1.0" {
		r.add(SeverityError, RuleSPDXRequired, "/dataLicense", "dataLicense must be CC0-1.0, not %q", lic)
	}
	if id, ok := doc["SPDXID"].(string); ok && id != "SPDXRef-DOCUMENT" {
		r.add(SeverityError, RuleSPDXRequired, "/SPDXID", "the document's SPDXID must be SPDXRef-DOCUMENT, not %q", id)
	}
	c.define("SPDXRef-DOCUMENT", "/SPDXID")
	if ci, ok := doc["creationInfo"].(map[string]any); ok {
		c.required(ci, "/creationInfo", "created", "creators")
	}
	for i, e := range array(doc["externalDocumentRefs"]) {
		if m, ok := e.(map[string]any); ok {
			id, _ := m["externalDocumentId"].(string)
			c.docRefs[id] = true
			c.required(m, "/externalDocumentRefs/"+strconv.Itoa(i), "externalDocumentId", "spdxDocument", "checksum")
		}
	}
	c.elements(doc, "packages", "name", "downloadLocation")
	c.elements(doc, "files", "fileName")
	c.elements(doc, "snippets", "snippetFromFile", "ranges")
	c.relationships(doc)
}

// required reports each missing or empty key of obj.
func (c *spdxChecker) required(obj map[string]any, ptr string, keys ...string) {
	for _, k := range keys {
		switch v := obj[k].(type) {
		case nil:
			c.r.add(SeverityError, RuleSPDXRequired, ptr, "missing required field %q", k)
		case string:
			if v == "" {
				c.r.add(SeverityError, RuleSPDXRequired, ptr+"/"+k, "required field %q is empty", k)
			}
		case []any:
			if len(v) == 0 {
				c.r.add(SeverityError, RuleSPDXRequired, ptr+"/"+k, "required field %q is empty", k)
			}
		}
	}
}

// elements checks the packages, files or snippets of a document.
func (c *spdxChecker) elements(doc map[string]any, member string, keys ...string) {
	for i, e := range array(doc[member]) {
		ptr := "/" + member + "/" + strconv.Itoa(i)
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		c.required(m, ptr, append([]string{"SPDXID"}, keys...)...)
		if id, ok := m["SPDXID"].(string); ok && id != "" {
			if !spdxIDPattern.MatchString(id) {
				c.r.add(SeverityError, RuleSPDXRequired, ptr+"/SPDXID", "SPDXID %q is not SPDXRef- followed by letters, digits, '.' or '-'", id)
			}
			c.define(id, ptr+"/SPDXID")
		}
		if member == "packages" {
			c.pkg(m, ptr)
		}
	}
}

// pkg applies the purl and version rules to one package.
func (c *spdxChecker) pkg(m map[string]any, ptr string) {
	if v, _ := m["versionInfo"].(string); v == "" {
		name, _ := m["name"].(string)
		c.r.add(SeverityWarning, RuleMissingVersion, ptr, "package %q has no versionInfo: vulnerability matching needs one", name)
	}
	for j, e := range array(m["externalRefs"]) {
		ref, _ := e.(map[string]any)
		if t, _ := ref["referenceType"].(string); t != "purl" {
			continue
		}
		loc, _ := ref["referenceLocator"].(string)
		if err := checkPURL(loc); err != nil {
			c.r.add(SeverityError, RuleInvalidPURL, ptr+"/externalRefs/"+strconv.Itoa(j)+"/referenceLocator", "%v", err)
		}
	}
}

// define records an SPDXID and reports a duplicate.
func (c *spdxChecker) define(id, loc string) {
	if first, dup := c.ids[id]; dup {
		c.r.add(SeverityError, RuleUniqueSPDXID, loc, "SPDXID %q is already defined at %s", id, first)
		return
	}
	c.ids[id] = loc
}

// relationships checks that relationships and documentDescribes name
// elements of this document or of a declared external document.
func (c *spdxChecker) relationships(doc map[string]any) {
	for i, e := range array(doc["relationships"]) {
		ptr := "/relationships/" + strconv.Itoa(i)
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		c.required(m, ptr, "spdxElementId", "relatedSpdxElement", "relationshipType")
		for _, k := range []string{"spdxElementId", "relatedSpdxElement"} {
			if id, ok := m[k].(string); ok && id != "" {
				c.target(id, ptr+"/"+k)
			}
		}
	}
	for i, e := range array(doc["documentDescribes"]) {
		if id, ok := e.(string); ok {
			c.target(id, "/documentDescribes/"+strconv.Itoa(i))
		}
	}
}

// target reports a reference to an element that is not defined.
func (c *spdxChecker) target(id, loc string) {
	if id == "NONE" || id == "NOASSERTION" || c.ids[id] != "" {
		return
	}
	if doc, _, ok := strings.Cut(id, ":"); ok && strings.HasPrefix(doc, "DocumentRef-") {
		if !c.docRefs[doc] {
			c.r.add(SeverityError, RuleDanglingRef, loc, "%q names external document %q, which externalDocumentRefs does not declare", id, doc)
		}
		return
	}
	c.r.add(SeverityError, RuleDanglingRef, loc, "%q is not the SPDXID of any element in the document", id)
}

// array returns v as a JSON array, or nil.
func array(v any) []any {
	a, _ := v.([]any)
	return a
}
