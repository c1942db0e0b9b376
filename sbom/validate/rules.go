package validate

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/sdlkit/sdlkit/sbom/purl"

	"github.com/sdlkit/sdlkit/sbom/format"

	"github.com/package-url/packageurl-go"

	"github.com/sdlkit/sdlkit/internal/jsonschema"
)

// validateCycloneDX checks a decoded CycloneDX document against the schema
// of its spec version and the semantic rules. via is appended to the schema
// name when the JSON form was derived from another encoding.
func validateCycloneDX(obj map[string]any, format format.Format, via string) (*Report, error) {
	version, isString := obj["specVersion"].(string)
	checkAs := version
	if !isString {
		// Missing or mistyped: the newest schema reports it.
		checkAs = newestCycloneDX
	}
	s, file, err := cycloneDXSchema(checkAs)
	if err != nil {
		return nil, err
	}
	r := &Report{Format: format, SpecVersion: version, Schema: file + via}
	r.Findings = append(r.Findings, schemaFindings(s, obj)...)
	checkCycloneDXRules(r, obj)
	return r, nil
}

// elementKind says what a JSON object is in a CycloneDX document.
type elementKind int

const (
	kindOther elementKind = iota
	kindComponent
	kindService
)

// cdxWalker collects bom-refs and checks components while walking a BOM.
type cdxWalker struct {
	r *Report
	// defined maps each bom-ref to where it is first defined.
	defined map[string]string
	// targets are the bom-refs of components and services: what a
	// dependency may point at.
	targets map[string]bool
}

// checkCycloneDXRules applies the semantic rules to a decoded BOM.
func checkCycloneDXRules(r *Report, obj map[string]any) {
	w := &cdxWalker{r: r, defined: map[string]string{}, targets: map[string]bool{}}
	w.walk(obj, "", kindOther)
	w.checkDependencies(obj["dependencies"])
}

// walk visits v at JSON Pointer ptr; kind says what v is.
func (w *cdxWalker) walk(v any, ptr string, kind elementKind) {
	switch v := v.(type) {
	case map[string]any:
		w.object(v, ptr, kind)
	case []any:
		for i, e := range v {
			w.walk(e, ptr+"/"+strconv.Itoa(i), kindOther)
		}
	}
}

// object checks one JSON object and walks its members in sorted order, so
// that findings come out in a stable order.
func (w *cdxWalker) object(obj map[string]any, ptr string, kind elementKind) {
	if ref, ok := obj["bom-ref"].(string); ok && ref != "" {
		w.defineRef(ref, ptr+"/bom-ref", kind)
	}
	if kind == kindComponent {
		w.checkComponent(obj, ptr)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		child := ptr + "/" + escapeToken(k)
		childKind := memberKind(k)
		if arr, ok := obj[k].([]any); ok && childKind != kindOther {
			for i, e := range arr {
				w.walk(e, child+"/"+strconv.Itoa(i), childKind)
			}
			continue
		}
		if k == "component" && kind == kindOther && isMetadata(ptr) {
			w.walk(obj[k], child, kindComponent)
			continue
		}
		w.walk(obj[k], child, kindOther)
	}
}

// memberKind says what the elements of an array member named key are:
// components (also pedigree ancestors, descendants and variants) or
// services.
func memberKind(key string) elementKind {
	switch key {
	case "components", "ancestors", "descendants", "variants":
		return kindComponent
	case "services":
		return kindService
	}
	return kindOther
}

// isMetadata reports whether ptr is the BOM's metadata object.
func isMetadata(ptr string) bool { return ptr == "/metadata" }

// defineRef records a bom-ref and reports a duplicate.
func (w *cdxWalker) defineRef(ref, loc string, kind elementKind) {
	if first, dup := w.defined[ref]; dup {
		w.r.add(SeverityError, RuleUniqueBOMRef, loc, "bom-ref %q is already defined at %s", ref, first)
	} else {
		w.defined[ref] = loc
	}
	if kind != kindOther {
		w.targets[ref] = true
	}
}

// checkComponent applies the per-component rules.
func (w *cdxWalker) checkComponent(c map[string]any, ptr string) {
	if p, ok := c["purl"].(string); ok {
		if err := checkPURL(p); err != nil {
			w.r.add(SeverityError, RuleInvalidPURL, ptr+"/purl", "%v", err)
		}
	}
	typ, _ := c["type"].(string)
	if typ != "library" && typ != "framework" {
		return
	}
	if v, _ := c["version"].(string); v == "" {
		name, _ := c["name"].(string)
		w.r.add(SeverityWarning, RuleMissingVersion, ptr, "%s component %q has no version: vulnerability matching needs one", typ, name)
	}
}

// checkPURL parses a package URL.
func checkPURL(s string) error {
	p, err := packageurl.FromString(s)
	if err != nil {
		return fmt.Errorf("invalid purl %q: %v", s, err)
	}
	if p.Type == "" || p.Name == "" {
		return fmt.Errorf("invalid purl %q: type and name are required", s)
	}
	if name, _, ok := purl.NameVersion(s); ok {
		if err := purl.CheckName(purl.Ecosystem(s), name); err != nil {
			return fmt.Errorf("invalid purl %q: %v", s, err)
		}
	}
	return nil
}

// checkDependencies checks that the graph names only known components and
// services, and that each ref has one entry.
func (w *cdxWalker) checkDependencies(v any) {
	deps, _ := v.([]any)
	seen := map[string]int{}
	for i, d := range deps {
		dep, _ := d.(map[string]any)
		loc := "/dependencies/" + strconv.Itoa(i)
		if ref, ok := dep["ref"].(string); ok && ref != "" {
			w.checkTarget(ref, loc+"/ref")
			if first, dup := seen[ref]; dup {
				w.r.add(SeverityWarning, RuleDuplicateDependency, loc, "ref %q already has an entry at /dependencies/%d", ref, first)
			} else {
				seen[ref] = i
			}
		}
		for _, member := range []string{"dependsOn", "provides"} {
			list, _ := dep[member].([]any)
			for j, t := range list {
				if ref, ok := t.(string); ok && ref != "" {
					w.checkTarget(ref, loc+"/"+member+"/"+strconv.Itoa(j))
				}
			}
		}
	}
}

// checkTarget reports a dependency ref that names no component or service.
func (w *cdxWalker) checkTarget(ref, loc string) {
	if w.targets[ref] {
		return
	}
	if where, ok := w.defined[ref]; ok {
		w.r.add(SeverityError, RuleDanglingRef, loc, "%q is the bom-ref of %s, not of a component or service", ref, where)
		return
	}
	w.r.add(SeverityError, RuleDanglingRef, loc, "%q is not the bom-ref of any component or service", ref)
}

// escapeToken escapes one JSON Pointer token.
func escapeToken(t string) string { return jsonschema.Pointer([]string{t})[1:] }
