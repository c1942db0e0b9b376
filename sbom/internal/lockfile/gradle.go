package lockfile

import (
	"bufio"
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/purl"
)

// readGradle reads one of the lockfiles Gradle writes with dependency
// locking, the project's or its build script's.
func readGradle(in Input) (*Info, error) {
	comps, err := readGradleLockfile(in.Data, in.Path)
	if err != nil {
		return nil, err
	}
	info := NewInfo()
	info.Packages = comps
	return info, nil
}

// readGradleLockfile reads a Gradle lockfile by hand: scalibr's extractor
// drops the configurations after "=" (so every test and tooling dependency
// would look shipped) and skips lines it cannot parse (so a truncated file
// passes silently). Each line is "group:artifact:version=conf1,conf2"; "#"
// lines are comments and "empty=…" lists the configurations without
// dependencies. The scope comes from the configurations (gradleScope).
func readGradleLockfile(data []byte, rel string) ([]sbom.Component, error) {
	buildscript := path.Base(rel) == "buildscript-gradle.lockfile"
	var comps []sbom.Component
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "empty=") {
			continue
		}
		c, err := parseGradleLine(line)
		if err != nil {
			return nil, &FileError{Path: rel, Line: n, Err: err}
		}
		if buildscript {
			c.Scope = sbom.ScopeExcluded // the build's own plugins and tools
		}
		c.Locations = []string{rel}
		comps = append(comps, c)
	}
	if err := sc.Err(); err != nil {
		return nil, &FileError{Path: rel, Err: err}
	}
	return comps, nil
}

// parseGradleLine parses "group:artifact:version=conf1,conf2".
func parseGradleLine(line string) (sbom.Component, error) {
	coord, confs, ok := strings.Cut(line, "=")
	parts := strings.Split(coord, ":")
	if !ok || len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" || confs == "" {
		return sbom.Component{}, fmt.Errorf("malformed dependency %q: want group:artifact:version=configurations", line)
	}
	name := parts[0] + ":" + parts[1]
	ref := purl.New("Maven", name, parts[2])
	return sbom.Component{
		Type: sbom.TypeLibrary, Name: name, Version: parts[2], Ecosystem: "Maven",
		PURL: ref, BOMRef: ref, Scope: gradleScope(strings.Split(confs, ",")),
	}, nil
}

// gradleScope derives a scope from the configurations that resolve a
// dependency. Gradle names a source set's classpaths <sourceSet>RuntimeClasspath
// and <sourceSet>CompileClasspath ("runtimeClasspath" for main; Android adds
// variants such as releaseRuntimeClasspath). The rule:
//   - required if on the runtime classpath of a source set that is not a
//     test one (its name does not contain "test": test, integrationTest,
//     debugUnitTest, testFixtures …): it ships;
//   - optional if only on such a compile classpath (compileOnly: provided by
//     the environment, e.g. a servlet API or annotations);
//   - excluded otherwise: test classpaths and tooling configurations
//     (checkstyle, annotationProcessor, kapt, detekt, jacocoAgent,
//     spotbugs, sonarlint …), which build or check the product but are not
//     part of it.
func gradleScope(confs []string) sbom.Scope {
	scope := sbom.ScopeExcluded
	for _, conf := range confs {
		conf = strings.TrimSpace(conf)
		switch set, kind := gradleSourceSet(conf); {
		case strings.Contains(strings.ToLower(set), "test"):
		case kind == "RuntimeClasspath":
			return sbom.ScopeRequired
		case kind == "CompileClasspath":
			scope = sbom.ScopeOptional
		}
	}
	return scope
}

// gradleSourceSet splits a classpath configuration's name into its source
// set and kind; kind is "" for other configurations.
func gradleSourceSet(conf string) (set, kind string) {
	for _, k := range []string{"RuntimeClasspath", "CompileClasspath"} {
		lower := strings.ToLower(k[:1]) + k[1:]
		switch {
		case conf == lower:
			return "", k
		case strings.HasSuffix(conf, k):
			return strings.TrimSuffix(conf, k), k
		}
	}
	return conf, ""
}
