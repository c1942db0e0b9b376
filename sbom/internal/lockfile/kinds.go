package lockfile

import (
	"slices"
	"strings"

	cpb "github.com/google/osv-scalibr/binary/proto/config_go_proto"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/packageslockjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/gobinary"
	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/gomod"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/pomxml"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/pnpmlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/yarnlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/php/composerlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/pipfilelock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/poetrylock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/requirements"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/uvlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/ruby/gemfilelock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/rust/cargolock"
)

// Input is one lockfile as a reader gets it.
type Input struct {
	// Path is slash-separated, relative to the scanned root.
	Path string
	// Data is the file's content: UTF-8 text within the size limit.
	Data []byte
	// Manifest is the Kind's manifest beside the file (package.json,
	// composer.json), nil when there is none or it cannot be read, which
	// leaves the project's direct requirements unknown.
	Manifest []byte
	// Sibling reads another file of the same directory (go.sum beside
	// go.mod) under the same limits; its error wraps fs.ErrNotExist when
	// there is none.
	Sibling func(name string) ([]byte, error)
	// GoModCache is the Go module cache whose go.mod files give the Go
	// module graph, "" to read nothing outside the tree.
	GoModCache string
}

// Kind is one lockfile format: the files it is, osv-scalibr's extractor for
// it and the reader written here.
type Kind struct {
	// Files are the base names of the format's files; empty where the
	// extractor alone decides (requirements*.txt, pom.xml, Go binaries).
	Files []string
	// Extractor makes osv-scalibr's extractor of the format; nil where
	// Read reads the whole file.
	Extractor func(*cpb.PluginConfig) (filesystem.Extractor, error)
	// Read reads what the extractor leaves out, or the whole file; nil
	// where the extractor's packages are all there is.
	Read func(Input) (*Info, error)
	// Manifest is the file beside the lockfile that Read gets as
	// Input.Manifest, "" for none.
	Manifest string
	// ReadFirst runs Read before the extractor: Read checks what the
	// extractor does not, so that a malformed file is an error rather than
	// a line scalibr logs before carrying on with what it could read. Read
	// otherwise runs after, so that scalibr's errors, which carry
	// positions, come first.
	ReadFirst bool
}

// Kinds returns the formats sdlkit reads: the "lockfile" preset of
// osv-scanner v2 without the OS package databases, plus Go binaries.
func Kinds() []Kind {
	return []Kind{
		{Files: []string{"go.mod"}, Extractor: gomod.New, Read: readGoMod},
		{Extractor: gobinary.New},
		{Files: []string{"package-lock.json", "npm-shrinkwrap.json"}, Read: readNPM},
		{Files: []string{"pnpm-lock.yaml"}, Extractor: pnpmlock.New, Read: data(readPNPMExtra)},
		{Files: []string{"yarn.lock"}, Extractor: yarnlock.New, Read: withManifest(readYarnExtra), Manifest: "package.json", ReadFirst: true},
		{Extractor: requirements.New},
		{Files: []string{"poetry.lock"}, Extractor: poetrylock.New, Read: data(readPyLockExtra)},
		{Files: []string{"uv.lock"}, Extractor: uvlock.New, Read: data(readPyLockExtra)},
		{Files: []string{"Pipfile.lock"}, Extractor: pipfilelock.New, Read: data(readPipfileLockExtra)},
		{Files: []string{"Cargo.lock"}, Extractor: cargolock.New, Read: data(readCargoExtra)},
		{Extractor: pomxml.New},
		{Files: []string{"gradle.lockfile", "buildscript-gradle.lockfile"}, Read: readGradle},
		{Files: []string{"composer.lock"}, Extractor: composerlock.New, Read: withManifest(readComposerExtra), Manifest: "composer.json"},
		{Files: []string{"Gemfile.lock", "gems.locked"}, Extractor: gemfilelock.New, Read: data(readGemfileLockExtra)},
		{Files: []string{"packages.lock.json"}, Extractor: packageslockjson.New, Read: data(readNuGetLockExtra)},
	}
}

// data adapts a reader of the file's content alone.
func data(read func([]byte) (*Info, error)) func(Input) (*Info, error) {
	return func(in Input) (*Info, error) { return read(in.Data) }
}

// withManifest adapts a reader of the file and the manifest beside it.
func withManifest(read func(data, manifest []byte) (*Info, error)) func(Input) (*Info, error) {
	return func(in Input) (*Info, error) { return read(in.Data, in.Manifest) }
}

// readNPM reads package-lock.json by hand (readNPMExtra says why); a
// dependency's own lockfile inside node_modules is not what is installed.
func readNPM(in Input) (*Info, error) {
	if slices.Contains(strings.Split(in.Path, "/"), "node_modules") {
		return nil, nil
	}
	return readNPMExtra(in.Data)
}
