package sbom

import (
	"strings"

	"github.com/package-url/packageurl-go"
)

// ecosystems maps purl types to OSV ecosystem names.
var ecosystems = map[string]string{
	packageurl.TypeGolang:   "Go",
	packageurl.TypeNPM:      "npm",
	packageurl.TypePyPi:     "PyPI",
	packageurl.TypeCargo:    "crates.io",
	packageurl.TypeMaven:    "Maven",
	packageurl.TypeNuget:    "NuGet",
	packageurl.TypeGem:      "RubyGems",
	packageurl.TypeComposer: "Packagist",
	packageurl.TypePub:      "Pub",
	packageurl.TypeHex:      "Hex",
	packageurl.TypeConan:    "ConanCenter",
	packageurl.TypeSwift:    "SwiftURL",
	packageurl.TypeCran:     "CRAN",
	packageurl.TypeHackage:  "Hackage",
	packageurl.TypeDebian:   "Debian",
	packageurl.TypeApk:      "Alpine",
}

// purlTypes is the inverse of ecosystems.
var purlTypes = func() map[string]string {
	m := make(map[string]string, len(ecosystems))
	for t, e := range ecosystems {
		m[e] = t
	}
	return m
}()

// EcosystemOfPURL returns the OSV ecosystem of a purl ("Go" for
// pkg:golang/…), or "" when the purl is invalid or its type has no OSV
// ecosystem.
func EcosystemOfPURL(purl string) string {
	p, err := packageurl.FromString(purl)
	if err != nil {
		return ""
	}
	return ecosystems[p.Type]
}

// nameOfPURL returns the package name as its ecosystem spells it:
// "group:artifact" for Maven, "@scope/name" for npm, the namespace and name
// joined by "/" elsewhere. ok is false when purl does not parse.
func nameOfPURL(purl string) (name, version string, ok bool) {
	p, err := packageurl.FromString(purl)
	if err != nil || p.Name == "" {
		return "", "", false
	}
	switch {
	case p.Namespace == "":
		name = p.Name
	case p.Type == packageurl.TypeMaven:
		name = p.Namespace + ":" + p.Name
	default:
		name = p.Namespace + "/" + p.Name
	}
	return name, p.Version, true
}

// PURL builds the package URL of name@version in an OSV ecosystem, the
// inverse of nameOfPURL. It returns "" for an ecosystem without a purl type.
func PURL(ecosystem, name, version string) string {
	typ, ok := purlTypes[ecosystem]
	if !ok {
		return ""
	}
	var namespace string
	switch {
	case typ == packageurl.TypeMaven:
		if i := strings.IndexByte(name, ':'); i >= 0 {
			namespace, name = name[:i], name[i+1:]
		}
	case typ == packageurl.TypePyPi:
		name = normalisePyPI(name)
	case strings.Contains(name, "/") && typ != packageurl.TypeNuget:
		i := strings.LastIndexByte(name, '/')
		namespace, name = name[:i], name[i+1:]
	}
	return packageurl.NewPackageURL(typ, namespace, name, version, nil, "").ToString()
}

// normalisePyPI applies the purl spec's PyPI rule: lowercase, "_" → "-".
func normalisePyPI(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), "_", "-")
}

// splitGroup splits a name into CycloneDX group and name: Maven groupId and
// artifactId, npm scope and name. Other ecosystems keep the whole name.
func splitGroup(ecosystem, name string) (group, short string) {
	switch ecosystem {
	case "Maven":
		if i := strings.IndexByte(name, ':'); i >= 0 {
			return name[:i], name[i+1:]
		}
	case "npm":
		if strings.HasPrefix(name, "@") {
			if i := strings.IndexByte(name, '/'); i >= 0 {
				return name[:i], name[i+1:]
			}
		}
	}
	return "", name
}
