package purl

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/package-url/packageurl-go"
	"golang.org/x/mod/module"
)

// ErrInvalidName is the cause of the error CheckName returns.
var ErrInvalidName = errors.New("invalid package name")

// Name patterns of the registries that define one, compiled on first use
// (start-up is paid on every call).
var (
	// PEP 508 (case-insensitive).
	pypiName = lazyRegexp(`^(?i:[a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9])$`)
	// crates.io: ASCII letters, digits, "-" and "_".
	crateName = lazyRegexp(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)
	// npm: URL-safe characters, no leading "." or "_"; legacy names have
	// capitals.
	npmPart = lazyRegexp(`^[A-Za-z0-9~-][A-Za-z0-9._~!*'()-]*$`)
	// Packagist: vendor/package, lowercase by rule (older ones are not).
	composerName = lazyRegexp(`^[A-Za-z0-9]([_.-]?[A-Za-z0-9]+)*/[A-Za-z0-9](([_.]|-{1,2})?[A-Za-z0-9]+)*$`)
	// Maven groupId and artifactId, NuGet ids, gem names.
	dottedName = lazyRegexp(`^[A-Za-z0-9_][A-Za-z0-9_.+-]*$`)
)

// lazyRegexp compiles expr the first time it is used.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// CheckName reports whether name is a valid package name in ecosystem (an
// OSV ecosystem name, as sbom.Component.Ecosystem holds it). A name that is
// a path — "../../etc/passwd", an absolute path, one with a NUL or another
// control character — is invalid everywhere; the ecosystems that define a
// name syntax (Go module paths, npm, PyPI, crates.io, Maven, NuGet,
// RubyGems, Packagist) are checked against it. Unknown ecosystems get only
// the path check.
func CheckName(ecosystem, name string) error {
	if err := checkNotPath(name); err != nil {
		return fmt.Errorf("%w %q: %v", ErrInvalidName, name, err)
	}
	typ, _ := Type(ecosystem)
	if err := checkSyntax(typ, name); err != nil {
		return fmt.Errorf("%w %q for %s: %v", ErrInvalidName, name, ecosystem, err)
	}
	return nil
}

// checkNotPath refuses what would make a name a path outside a package's
// namespace or break a terminal or file name.
func checkNotPath(name string) error {
	switch {
	case name == "":
		return errors.New("empty")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return errors.New("has a control character")
	case strings.HasPrefix(name, "/") || strings.Contains(name, `\`):
		return errors.New("is a file path")
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "." || seg == ".." {
			return errors.New("has a . or .. path element")
		}
	}
	return nil
}

// checkSyntax checks name against the rules of the ecosystem of purl type
// typ, where sdlkit knows them.
func checkSyntax(typ, name string) error {
	switch typ {
	case packageurl.TypeGolang:
		if name == "stdlib" {
			return nil
		}
		return module.CheckImportPath(name)
	case packageurl.TypeNPM:
		parts := strings.Split(name, "/")
		if len(parts) == 2 && strings.HasPrefix(parts[0], "@") {
			parts[0] = parts[0][1:]
		} else if len(parts) != 1 {
			return errors.New(`not "name" or "@scope/name"`)
		}
		for _, p := range parts {
			if !npmPart().MatchString(p) {
				return fmt.Errorf("%q has characters npm does not allow", p)
			}
		}
	case packageurl.TypePyPi:
		if !pypiName().MatchString(name) {
			return errors.New("not a PEP 508 name")
		}
	case packageurl.TypeCargo:
		if !crateName().MatchString(name) {
			return errors.New("crate names are letters, digits, - and _")
		}
	case packageurl.TypeMaven:
		group, artifact, ok := strings.Cut(name, ":")
		if !ok || !dottedName().MatchString(group) || !dottedName().MatchString(artifact) {
			return errors.New(`not "groupId:artifactId"`)
		}
	case packageurl.TypeNuget, packageurl.TypeGem:
		if !dottedName().MatchString(name) {
			return errors.New("has characters the registry does not allow")
		}
	case packageurl.TypeComposer:
		if !composerName().MatchString(name) {
			return errors.New(`not "vendor/package"`)
		}
	}
	return nil
}
