// Package purl maps between package URLs (https://github.com/package-url/purl-spec)
// and the OSV ecosystems and package names that advisories use: the
// identity of a package, which the SBOM tools and the scanner share.
//
// Ecosystem names are osv-schema's (osvconstants); parsing and printing
// purls is packageurl-go's.
package purl

import (
	"net/url"
	"slices"
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

// Type returns the purl type of an OSV ecosystem ("golang" for "Go"),
// and whether it has one.
func Type(ecosystem string) (string, bool) {
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

// NameVersion returns the package name as its ecosystem spells it, in the
// case the purl has it —
// "group:artifact" for Maven, "@scope/name" for npm, the namespace and name
// joined by "/" elsewhere — and the version. ok is false when purl does not
// parse or has no name.
func NameVersion(purl string) (name, version string, ok bool) {
	p, err := Parse(purl)
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
	typ, ok := Type(ecosystem)
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

// Parts are a package URL's components as written, percent-decoded but not
// normalised. packageurl-go's parser lowercases Go module paths and PyPI
// names, as the purl spec asks for comparing purls; Parse keeps their case,
// so that names stay what the ecosystem and its advisories call the package
// (Go module paths are case-sensitive). Identity compares purls.
type Parts struct {
	Type, Namespace, Name, Version string
	Qualifiers                     packageurl.Qualifiers
	Subpath                        string
}

// Parse checks s with packageurl-go and returns its parts as written.
func Parse(s string) (Parts, error) {
	p, err := packageurl.FromString(s)
	if err != nil {
		return Parts{}, err
	}
	parts := Parts{Type: p.Type, Namespace: p.Namespace, Name: p.Name, Version: p.Version, Qualifiers: p.Qualifiers, Subpath: p.Subpath}
	namespace, name := rawPath(s)
	if sameName(name, p.Name) {
		parts.Name = name
	}
	if strings.EqualFold(namespace, p.Namespace) {
		parts.Namespace = namespace
	}
	return parts, nil
}

// rawPath returns the namespace and name of a purl as written,
// percent-decoded segment by segment.
func rawPath(s string) (namespace, name string) {
	rest := strings.TrimLeft(strings.TrimPrefix(s, "pkg:"), "/")
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	_, rest, _ = strings.Cut(rest, "/") // the type
	rest = strings.Trim(rest, "/")
	if at := strings.LastIndexByte(rest, '@'); at > strings.LastIndexByte(rest, '/') {
		rest = rest[:at]
	}
	var segs []string
	for _, seg := range strings.Split(rest, "/") {
		if u, err := url.PathUnescape(seg); err == nil {
			seg = u
		}
		if seg != "" {
			segs = append(segs, seg)
		}
	}
	if len(segs) == 0 {
		return "", ""
	}
	return strings.Join(segs[:len(segs)-1], "/"), segs[len(segs)-1]
}

// PreferName chooses a component's name from the name a document gives it
// and the name in its purl: the document's, spelled and cased as the input
// has it ("Flask_SQLAlchemy", "github.com/BurntSushi/toml"), where it is the
// purl's name but for case and separators; else the purl's, which names the
// package as its ecosystem does (a tool may put a display name in the
// document).
func PreferName(document, fromPURL string) string {
	if document != "" && loose(document) == loose(fromPURL) {
		return document
	}
	return fromPURL
}

// loose folds case and the separators "-", "_" and ".".
func loose(s string) string {
	return pep503Separators().ReplaceAllString(strings.ToLower(s), "-")
}

// sameName reports whether a name as written and as packageurl-go parsed it
// are the same name: equal but for its normalisation of case and "_".
func sameName(written, parsed string) bool {
	norm := strings.NewReplacer("_", "-").Replace
	return strings.EqualFold(norm(written), norm(parsed))
}

// pep503Separators are the runs PEP 503 folds into one "-".
var pep503Separators = lazyRegexp(`[-_.]+`)

// FoldName returns name as packages of the purl type typ are told apart:
// PyPI's PEP 503 normalisation (lowercase, runs of "-", "_" and "." as one
// "-"); lowercase where the registry ignores case (Packagist, NuGet, Pub,
// Hex, GitHub); unchanged elsewhere: Go module paths, npm, Maven, RubyGems
// and crates.io names are told apart as written.
func FoldName(typ, name string) string {
	switch typ {
	case packageurl.TypePyPi:
		return pep503Separators().ReplaceAllString(strings.ToLower(name), "-")
	case packageurl.TypeComposer, packageurl.TypeNuget, packageurl.TypePub, packageurl.TypeHex, packageurl.TypeGithub, packageurl.TypeBitbucket:
		return strings.ToLower(name)
	}
	return name
}

// Key is the identity of a package without a purl, ecosystem and name as
// the ecosystem tells packages apart (FoldName).
func Key(ecosystem, name string) string {
	typ, _ := Type(ecosystem)
	return ecosystem + ":" + FoldName(typ, name)
}

// identityQualifier reports whether a purl qualifier names a different
// artifact of the same package version: the architecture of an OS package,
// a Maven classifier or packaging other than the default jar. Go's
// type=module (cyclonedx-gomod), trivy's distro and the like do not.
func identityQualifier(typ string, q packageurl.Qualifier) bool {
	switch {
	case q.Key == "arch":
		return true
	case typ == packageurl.TypeMaven && q.Key == "classifier":
		return true
	case typ == packageurl.TypeMaven && q.Key == "type":
		return q.Value != "jar"
	}
	return false
}

// Identity returns what tells one package version apart from another, as a
// purl: type, namespace and name folded as the ecosystem compares them
// (FoldName), the version, the subpath and only the qualifiers that name a
// different artifact (arch, Maven classifier and type). Two tools' purls of
// the same package version have the same identity; merging deduplicates
// components by it.
func Identity(s string) (string, error) {
	return identity(s, true)
}

// PackageIdentity is Identity without the version and qualifiers: what the
// versions of one package share, by which a diff pairs old and new.
func PackageIdentity(s string) (string, error) {
	return identity(s, false)
}

func identity(s string, version bool) (string, error) {
	p, err := Parse(s)
	if err != nil {
		return "", err
	}
	var keep packageurl.Qualifiers
	for _, q := range p.Qualifiers {
		if version && identityQualifier(p.Type, q) {
			keep = append(keep, q)
		}
	}
	slices.SortFunc(keep, func(a, b packageurl.Qualifier) int { return strings.Compare(a.Key, b.Key) })
	if !version {
		p.Version = ""
	}
	ns := p.Namespace
	if p.Type != packageurl.TypePyPi {
		ns = FoldName(p.Type, ns)
	}
	return packageurl.NewPackageURL(p.Type, ns, FoldName(p.Type, p.Name), p.Version, keep, p.Subpath).ToString(), nil
}
