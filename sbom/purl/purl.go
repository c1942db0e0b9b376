// Package purl maps between package URLs (https://github.com/package-url/purl-spec)
// and the OSV ecosystems and package names that advisories use: the
// identity of a package, which the SBOM tools and the scanner share.
//
// Ecosystem names are osv-schema's (osvconstants); parsing and printing
// purls is packageurl-go's.
package purl

import (
	"strings"

	"github.com/ossf/osv-schema/bindings/go/osvconstants"
	"github.com/package-url/packageurl-go"
)

// ecosystems maps purl types to OSV ecosystem names.
var ecosystems = map[string]osvconstants.Ecosystem{
	packageurl.TypeGolang:   osvconstants.EcosystemGo,
	packageurl.TypeNPM:      osvconstants.EcosystemNPM,
	packageurl.TypePyPi:     osvconstants.EcosystemPyPI,
	packageurl.TypeCargo:    osvconstants.EcosystemCratesIO,
	packageurl.TypeMaven:    osvconstants.EcosystemMaven,
	packageurl.TypeNuget:    osvconstants.EcosystemNuGet,
	packageurl.TypeGem:      osvconstants.EcosystemRubyGems,
	packageurl.TypeComposer: osvconstants.EcosystemPackagist,
	packageurl.TypePub:      osvconstants.EcosystemPub,
	packageurl.TypeHex:      osvconstants.EcosystemHex,
	packageurl.TypeConan:    osvconstants.EcosystemConanCenter,
	packageurl.TypeSwift:    osvconstants.EcosystemSwiftURL,
	packageurl.TypeCran:     osvconstants.EcosystemCRAN,
	packageurl.TypeHackage:  osvconstants.EcosystemHackage,
	packageurl.TypeDebian:   osvconstants.EcosystemDebian,
	packageurl.TypeApk:      osvconstants.EcosystemAlpine,
}

// typeOf returns the purl type of an OSV ecosystem.
func typeOf(ecosystem string) (string, bool) {
	for t, e := range ecosystems {
		if string(e) == ecosystem {
			return t, true
		}
	}
	return "", false
}

// Ecosystem returns the OSV ecosystem of a purl ("Go" for pkg:golang/…), or
// "" when the purl is invalid or its type has no OSV ecosystem.
func Ecosystem(purl string) string {
	p, err := packageurl.FromString(purl)
	if err != nil {
		return ""
	}
	return string(ecosystems[p.Type])
}

// NameVersion returns the package name as its ecosystem spells it —
// "group:artifact" for Maven, "@scope/name" for npm, the namespace and name
// joined by "/" elsewhere — and the version. ok is false when purl does not
// parse or has no name.
func NameVersion(purl string) (name, version string, ok bool) {
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

// New builds the package URL of name@version in an OSV ecosystem, the
// inverse of NameVersion. It returns "" for an ecosystem without a purl
// type.
func New(ecosystem, name, version string) string {
	typ, ok := typeOf(ecosystem)
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
		name = NormalisePyPI(name)
	case strings.Contains(name, "/") && typ != packageurl.TypeNuget:
		i := strings.LastIndexByte(name, '/')
		namespace, name = name[:i], name[i+1:]
	}
	return packageurl.NewPackageURL(typ, namespace, name, version, nil, "").ToString()
}

// NormalisePyPI applies the purl spec's PyPI rule: lowercase, "_" → "-".
func NormalisePyPI(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), "_", "-")
}
