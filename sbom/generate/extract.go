package generate

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/internal/lockfile"
	"github.com/sdlkit/sdlkit/sbom/internal/textpos"
	"github.com/sdlkit/sdlkit/sbom/purl"

	"github.com/BurntSushi/toml"
	cpb "github.com/google/osv-scalibr/binary/proto/config_go_proto"
	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/gobinary"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/requirements"
	"github.com/google/osv-scalibr/extractor/filesystem/osv"
	"golang.org/x/mod/modfile"
)

// kind is a lockfile format with its extractor made.
type kind struct {
	lockfile.Kind
	extractor filesystem.Extractor
}

// newKinds makes the extractors of every format Generate reads
// (lockfile.Kinds), once per run: scalibr's extractors are set up only when
// an SBOM is generated.
func newKinds() ([]kind, error) {
	var out []kind
	for _, k := range lockfile.Kinds() {
		kd := kind{Kind: k}
		if k.Extractor != nil {
			e, err := k.Extractor(&cpb.PluginConfig{})
			if err != nil {
				return nil, fmt.Errorf("set up extractors: %w", err)
			}
			kd.extractor = e
		}
		out = append(out, kd)
	}
	return out, nil
}

// readerOf returns the format whose hand-written reader reads rel, nil when
// none does.
func (g *generator) readerOf(rel string) *lockfile.Kind {
	base := path.Base(rel)
	for i := range g.kinds {
		if g.kinds[i].Read != nil && slices.Contains(g.kinds[i].Files, base) {
			return &g.kinds[i].Kind
		}
	}
	return nil
}

// fileAPI is what scalibr's FileRequired asks of a file.
type fileAPI struct {
	rel  string
	abs  string
	info fs.FileInfo
	err  error
	done bool
}

func (f *fileAPI) Path() string { return f.rel }

func (f *fileAPI) Stat() (fs.FileInfo, error) {
	if !f.done {
		f.info, f.err = os.Stat(f.abs)
		f.done = true
	}
	return f.info, f.err
}

// extractFile runs every extractor that wants rel and returns the packages
// found, and whether any extractor wanted the file.
func (g *generator) extractFile(ctx context.Context, rel string) (pkgs []*extractor.Package, known bool, err error) {
	api := &fileAPI{rel: rel, abs: filepath.Join(g.root, filepath.FromSlash(rel))}
	for _, k := range g.kinds {
		e := k.extractor
		if e == nil || !e.FileRequired(api) {
			continue
		}
		known = true
		inv, err := g.runExtractor(ctx, e, api)
		if err != nil {
			return nil, true, err
		}
		pkgs = append(pkgs, inv...)
	}
	return pkgs, known, nil
}

// ErrUnknownFile is the cause of the error for a file target that is
// neither a lockfile sdlkit reads nor a Go binary; Options.KeepGoing does
// not skip it.
var ErrUnknownFile = errors.New("neither a lockfile sdlkit reads nor a Go binary")

// readAsBinary reads rel as a Go binary whatever its mode (scalibr's
// extractor wants only executable files); a file that is not one is
// ErrUnknownFile.
func (g *generator) readAsBinary(ctx context.Context, rel string) ([]*extractor.Package, error) {
	api := &fileAPI{rel: rel, abs: filepath.Join(g.root, filepath.FromSlash(rel))}
	for _, k := range g.kinds {
		if k.extractor == nil || k.extractor.Name() != gobinary.Name {
			continue
		}
		pkgs, err := g.runBinaryExtractor(ctx, k.extractor, api)
		if err != nil || len(pkgs) == 0 {
			return nil, &FileError{Path: rel, Err: ErrUnknownFile}
		}
		return pkgs, nil
	}
	return nil, &FileError{Path: rel, Err: ErrUnknownFile}
}

func (g *generator) runExtractor(ctx context.Context, e filesystem.Extractor, api *fileAPI) ([]*extractor.Package, error) {
	if e.Name() == gobinary.Name {
		return g.runBinaryExtractor(ctx, e, api)
	}
	data, err := g.readLockfile(api.rel) // size limit and UTF-8 checked
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(api.abs)
	if err != nil {
		return nil, &FileError{Path: api.rel, Err: unwrapPathError(err)}
	}
	input := &filesystem.ScanInput{FS: g.fsys, Path: api.rel, Root: g.root, Info: info, Reader: bytes.NewReader(data)}
	inv, err := e.Extract(ctx, input)
	if err != nil {
		return nil, g.parseError(api, err)
	}
	return inv.Packages, nil
}

// runBinaryExtractor reads a Go binary in place: binaries have no size
// limit and are not text.
func (g *generator) runBinaryExtractor(ctx context.Context, e filesystem.Extractor, api *fileAPI) ([]*extractor.Package, error) {
	f, err := os.Open(api.abs)
	if err != nil {
		return nil, &FileError{Path: api.rel, Err: unwrapPathError(err)}
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, &FileError{Path: api.rel, Err: unwrapPathError(err)}
	}
	input := &filesystem.ScanInput{FS: g.fsys, Path: api.rel, Root: g.root, Info: info, Reader: f}
	inv, err := e.Extract(ctx, input)
	if err != nil {
		return nil, g.parseError(api, err)
	}
	return inv.Packages, nil
}

// parseError turns an extractor's error into a FileError with the line
// number where the error has an offset into the file.
func (g *generator) parseError(api *fileAPI, err error) error {
	fe := &FileError{Path: api.rel, Err: innermost(err)}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var pe toml.ParseError
	var xe *xml.SyntaxError
	var me modfile.ErrorList
	switch {
	case errors.As(err, &me) && len(me) > 0:
		fe.Line, fe.Err = me[0].Pos.Line, me[0].Err
	case errors.As(err, &xe):
		fe.Line, fe.Err = xe.Line, errors.New(xe.Msg)
	case errors.As(err, &se) || errors.As(err, &te):
		if data, rerr := os.ReadFile(api.abs); rerr == nil {
			fe.Line = textpos.LineOfJSONError(data, err)
		}
	case errors.As(err, &pe):
		fe.Line, fe.Err = pe.Position.Line, errors.New(pe.Message)
	default:
		if m := yamlLine.FindStringSubmatch(fe.Err.Error()); m != nil {
			fe.Line, _ = strconv.Atoi(m[1])
			fe.Err = errors.New(m[2])
		}
	}
	return fe
}

// yamlLine matches the errors of gopkg.in/yaml ("yaml: line 3: …").
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// innermost strips the wrapping that extractors add ("could not extract:
// …"), which says nothing the FileError does not.
func innermost(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil || strings.Contains(err.Error(), "line ") && !strings.Contains(u.Error(), "line ") {
			return err
		}
		err = u
	}
}

// toComponent converts a scalibr package. Development dependencies get
// ScopeExcluded; a package that is no component comes back without a name.
func toComponent(p *extractor.Package) sbom.Component {
	eco := string(p.Ecosystem().Ecosystem)
	name, version := p.Name, p.Version
	if eco == "Go" {
		name, version = goNameVersion(name, version)
	}
	c := sbom.Component{
		Type:      sbom.TypeLibrary,
		Name:      name,
		Version:   version,
		Ecosystem: eco,
		PURL:      purl.New(eco, name, version),
		Licenses:  slices.Clone(p.Licenses),
	}
	if c.PURL == "" {
		if u := p.PURL(); u != nil {
			c.PURL = u.String()
		}
	}
	c.BOMRef = c.PURL
	if c.BOMRef == "" {
		c.BOMRef = eco + ":" + name + "@" + version
	}
	if loc := p.Location.PathOrEmpty(); loc != "" {
		c.Locations = []string{path.Clean(filepath.ToSlash(loc))}
	}
	if dg, ok := p.Metadata.(osv.DepGroups); ok {
		groups := dg.DepGroups()
		switch {
		case slices.Contains(groups, "dev"):
			c.Scope = sbom.ScopeExcluded
		case slices.Contains(groups, "optional"):
			c.Scope = sbom.ScopeOptional
		default:
			c.Scope = sbom.ScopeRequired
		}
	}
	if m, ok := p.Metadata.(*requirements.Metadata); ok {
		c.Hashes = lockfile.PipHashes(m.HashCheckingModeValues)
	}
	if slices.Contains(p.Plugins, gobinary.Name) || isBinaryLocation(p) {
		c.Scope = sbom.ScopeRequired
	}
	return c
}

// isBinaryLocation is true for packages found by the Go binary extractor,
// which records no metadata: their location is not a go.mod.
func isBinaryLocation(p *extractor.Package) bool {
	loc := p.Location.PathOrEmpty()
	return string(p.Ecosystem().Ecosystem) == "Go" && loc != "" && path.Base(filepath.ToSlash(loc)) != "go.mod"
}

// goNameVersion restores Go's spelling that scalibr normalises away: module
// versions start with "v"; the toolchain ("go" in binaries, "stdlib" in
// go.mod) is "stdlib", as OSV names it.
func goNameVersion(name, version string) (string, string) {
	if name == "go" || name == "stdlib" {
		return "stdlib", purl.GoStdlibVersion(version)
	}
	if version == "(devel)" {
		// A main module built without version information.
		return name, ""
	}
	if version != "" && !strings.HasPrefix(version, "v") {
		version = "v" + version
	}
	return name, version
}
