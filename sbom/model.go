// Package sbom is sdlkit's software bill of materials: a plain model of a
// product's components, their dependency graph and the built artifacts they
// describe, and the codecs that read and write it as CycloneDX and SPDX.
//
// The model is what the rest of sdlkit consumes (vulnmgmt scans it, signing
// attests it, the ledger records its digest); the formats are codecs at the
// edge. The package knows nothing of the ledger, the scanner or signing.
//
// # Generating
//
// Generate walks a source tree and reads the lockfiles, manifests and Go
// binaries in it with osv-scalibr's extractors (go.mod, Go build info,
// pnpm-lock.yaml, yarn.lock, requirements.txt, poetry.lock, uv.lock,
// Pipfile.lock, Cargo.lock, pom.xml, gradle.lockfile, composer.lock,
// Gemfile.lock, packages.lock.json). It does not descend into
// DefaultSkipDirs: node_modules and vendor hold installed copies of what the
// lockfiles pin (and their packages' own lockfiles, which would add what is
// not installed), testdata holds test inputs.
//
// Written by hand, because scalibr's extractors do not keep it: the
// dependency graph, hashes and licenses of package-lock.json (read entirely
// by hand: scalibr's extractor is quadratic in the lockfile's size and counts
// devOptional packages as dev), gradle.lockfile (read entirely by hand:
// scalibr's extractor drops the configurations, from which the scope comes,
// and skips lines it cannot parse), pnpm-lock.yaml, yarn.lock (v1), Cargo.lock,
// poetry.lock and uv.lock; Pipfile.lock's hashes; composer.lock's
// licenses, dist hashes and graph (with composer.json's requirements as the
// roots; a license array, which Composer reads as "any of", becomes one OR
// expression); packages.lock.json's content hashes and graph (per target
// framework, each edge to the version resolved there); Gemfile.lock's
// graph and Bundler's CHECKSUMS; go.sum's module hashes and go.mod's direct
// requirements. Development dependencies that a lockfile does not flag are
// found by reachability: in pnpm 9 (which dropped the dev flag) and yarn v1
// (with the package.json beside it), a package that only devDependencies
// reach is excluded, one that only optionalDependencies reach is optional.
// go.mod and go.sum do not say which module requires an
// indirect one: below the direct requirements the Go graph comes from each
// module's own go.mod in the local module cache
// ($GOMODCACHE/cache/download/…/@v/VERSION.mod, located as the go command
// does but without running it or the network), as go mod graph reads it,
// with each edge pointing at the version the product's go.mod selects. CI
// that built the product therefore gets the whole graph; a module missing
// from the cache keeps unknown dependencies rather than guessed ones, and
// GenerateOptions.NoGoModuleCache reads nothing outside the tree. The BOM
// property PropertyGoGraph says which it was. A component without an entry
// in Dependencies has unknown dependencies, one with an empty entry has
// none. Yarn 2+ and the other formats give components without hashes or
// graph for now.
//
// Licenses are written as CycloneDX allows: each license on the SPDX list
// (the enum of the embedded spdx.schema.json) as license.id, others as
// license.name, and a lone SPDX expression whose ids are all on the list as
// the one expression. The list's ids are checked by hand against that enum,
// because the CycloneDX schema checks license.id against the same enum.
//
// Versions are spelled as their ecosystem does: Go module versions keep
// their "v". The Go toolchain appears as "stdlib" only when read from a
// binary: go.mod's go line is a minimum, not the toolchain used.
//
// # Validating, comparing, merging
//
// Validate checks CycloneDX 1.4 to 1.7 JSON against the official schemas,
// embedded from CycloneDX/specification (schemas/, no network), with
// santhosh-tekuri/jsonschema, then against rules a schema cannot express
// (unique bom-refs, dependency refs that name components, valid purls,
// versions present; see validate.go for each rule and its severity). Go has
// no XSD validator: CycloneDX XML is decoded with cyclonedx-go and its JSON
// form is checked, which misses XML elements cyclonedx-go does not know.
// The SPDX JSON schema is not embedded: SPDX 2.x (JSON, tag-value) is decoded
// with spdx/tools-golang and checked for the fields SPDX 2.3 requires, by
// hand. DiffBOMs orders versions with osv-scalibr's semantic package; Merge
// deduplicates components by purl and rewrites each input's graph to the
// merged refs. Decode reads any of these formats into the model.
package sbom

import "time"

// BOM is one bill of materials: the product it describes, its components and
// their graph, and the artifacts it is bound to.
type BOM struct {
	// SerialNumber is a urn:uuid: derived from the content when generated.
	SerialNumber string
	// Timestamp is when the BOM was made (SOURCE_DATE_EPOCH when set).
	Timestamp time.Time
	// Product is the thing described: CycloneDX metadata.component.
	Product Component
	// Tools names the tools that made the BOM.
	Tools []Tool
	// Components are the product's dependencies, sorted by BOMRef.
	Components []Component
	// Dependencies is the graph: for each ref, the refs it depends on.
	Dependencies []Dependency
	// Artifacts are built files the BOM describes, bound by digest.
	Artifacts []Artifact
	// Properties are name/value annotations on the whole BOM, e.g. the
	// files skipped by --keep-going.
	Properties []Property
}

// Component is one software component.
type Component struct {
	// BOMRef is stable across runs: the purl where there is one.
	BOMRef string
	Type   ComponentType
	// Name is the package name as its ecosystem spells it (npm scope,
	// Maven group:artifact, Go module path).
	Name    string
	Version string
	// PURL is the package URL (https://github.com/package-url/purl-spec).
	PURL string
	// Ecosystem is the OSV ecosystem name ("Go", "npm", "PyPI",
	// "crates.io", "Maven", …), empty when unknown.
	Ecosystem string
	Scope     Scope
	Supplier  string
	Hashes    []Hash
	// Licenses are SPDX expressions or, where none applies, license names.
	Licenses []string
	// Locations are the files the component was found in, relative to the
	// scanned root, slash-separated and sorted.
	Locations  []string
	Properties []Property
}

// ComponentType follows CycloneDX component types.
type ComponentType string

// Component types used by sdlkit.
const (
	TypeApplication ComponentType = "application"
	TypeLibrary     ComponentType = "library"
	TypeFile        ComponentType = "file"
)

// Scope says whether a component is needed at run time.
type Scope string

// Scopes, as in CycloneDX: required at run time, optional, or excluded from
// the shipped product (development and test dependencies).
const (
	ScopeUnknown  Scope = ""
	ScopeRequired Scope = "required"
	ScopeOptional Scope = "optional"
	ScopeExcluded Scope = "excluded"
)

// Hash is one digest of a component or artifact.
type Hash struct {
	// Algorithm in CycloneDX spelling: "SHA-1", "SHA-256", "SHA-512", …
	Algorithm string
	// Value is lowercase hex.
	Value string
}

// Dependency is one node of the graph: Ref depends on DependsOn.
type Dependency struct {
	Ref       string
	DependsOn []string
}

// Artifact is a built file the BOM describes.
type Artifact struct {
	// Name is the file's base name or path as given.
	Name string
	// Size in bytes, 0 when unknown.
	Size   int64
	Hashes []Hash
}

// Tool names a tool that made or changed the BOM.
type Tool struct {
	Vendor  string
	Name    string
	Version string
}

// Property is a name/value annotation.
type Property struct {
	Name  string
	Value string
}
