// Package sbom is sdlkit's software bill of materials: a plain model of a
// product's components, their dependency graph and the built artifacts they
// describe. It holds the model only; the rest of the SBOM tooling is in its
// subpackages, which import it and never each other's internals:
//
//   - purl: package URLs, OSV ecosystems and the identity of a package;
//   - cyclonedx and spdx: codecs that read and write the model;
//   - format: recognises a document's format and decodes any of them;
//   - generate: the SBOM of a source tree or a Go binary, from its lockfiles;
//   - validate: schema and semantic checks of CycloneDX and SPDX documents;
//   - diff and merge: comparing and combining SBOMs.
//
// The model is what the rest of sdlkit consumes (vulnmgmt scans it, signing
// attests it, the ledger records its digest). The package knows nothing of
// the ledger, the scanner or signing.
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

// Artifact is a built file the BOM describes. Codecs write it as a file
// component of the product whose bom-ref is ArtifactRefPrefix and the name,
// with its size in the property PropertySize.
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

// Names the codecs give artifacts.
const (
	ArtifactRefPrefix = "artifact:"
	PropertySize      = "sdlkit:size"
)

// Property is a name/value annotation.
type Property struct {
	Name  string
	Value string
}
