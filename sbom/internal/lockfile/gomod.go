package lockfile

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/purl"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// readGoMod reads what scalibr's go.mod extractor leaves out: the direct
// requirements (the project's edges in the graph), the module hashes in the
// go.sum beside it and, where in.GoModCache is not empty, each required
// module's edges from its go.mod in the module cache. go.mod does not say
// which module needs an indirect requirement, so without the cache the graph
// below the direct requirements stays unknown; go.sum also lists modules and
// versions outside the build (for their go.mod files only) and is used for
// hashes only, never to add components.
func readGoMod(in Input) (*Info, error) {
	rel, data := in.Path, in.Data
	// Parse, not ParseLax: ParseLax drops replace directives, which only
	// the main module's go.mod may have (scalibr parses it the same way).
	mf, err := modfile.Parse(rel, data, nil)
	if err != nil {
		return nil, modfileError(rel, err)
	}
	info := NewInfo()
	info.GoModFiles = 1
	selected := map[string]string{}
	var mods []module.Version
	replaced := map[string]modfile.Replace{}
	for _, r := range mf.Replace {
		replaced[r.Old.Path+"@"+r.Old.Version] = *r
	}
	for _, r := range mf.Require {
		mod := r.Mod
		if rep, ok := replaced[mod.Path+"@"+mod.Version]; ok {
			mod = rep.New
		} else if rep, ok := replaced[mod.Path+"@"]; ok {
			mod = rep.New
		}
		if mod.Version == "" {
			continue // replaced by a local directory
		}
		selected[r.Mod.Path] = purl.New("Go", mod.Path, mod.Version)
		mods = append(mods, mod)
		if !r.Indirect {
			info.Roots = append(info.Roots, purl.New("Go", mod.Path, mod.Version))
		}
	}
	if ref, from := goStdlib(mf); ref != "" {
		// The standard library is a dependency of the module like any
		// other, and the one vulnerability scanners most often find.
		info.Roots = append(info.Roots, ref)
		info.Known[ref] = true
		info.Properties = map[string][]sbom.Property{ref: {{Name: PropertyGoVersionFrom, Value: from}}}
	}
	goModGraph(info, in.GoModCache, selected, mods)
	sums, err := readGoSum(in)
	if err != nil {
		return nil, err
	}
	for ref, h := range sums {
		info.Hashes[ref] = []sbom.Hash{h}
	}
	return info, nil
}

// PropertyGoVersionFrom, on the Go standard library's component, says which
// go.mod directive its version comes from: the toolchain directive names the
// toolchain the module is developed with; the go directive only the least
// Go version that builds it, so a product built with a newer patch release
// may not have what a scan finds there.
const PropertyGoVersionFrom = "sdlkit:go-version-from"

// goStdlib returns the purl of the standard library version go.mod
// records, as osv-scalibr's go.mod extractor reads it (the toolchain
// directive first), and which directive gave it.
func goStdlib(mf *modfile.File) (ref, from string) {
	if mf.Toolchain != nil && mf.Toolchain.Name != "" {
		v, _, _ := strings.Cut(mf.Toolchain.Name, "-")
		return purl.New("Go", "stdlib", purl.GoStdlibVersion(v)), "go.mod toolchain directive"
	}
	if mf.Go != nil && mf.Go.Version != "" {
		return purl.New("Go", "stdlib", purl.GoStdlibVersion(mf.Go.Version)), "go.mod go directive (the least Go version that builds the module)"
	}
	return "", ""
}

// modfileError names the line of modfile's first error, as FileError
// does, without modfile's own file:line:column prefix.
func modfileError(rel string, err error) *FileError {
	var list modfile.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		return &FileError{Path: rel, Err: errors.New(strings.TrimPrefix(err.Error(), rel+": "))}
	}
	e := list[0]
	msg := e.Err.Error()
	switch {
	case e.ModPath != "":
		msg = e.Verb + " " + e.ModPath + ": " + msg
	case e.Verb != "":
		msg = e.Verb + ": " + msg
	}
	return &FileError{Path: rel, Line: e.Pos.Line, Err: errors.New(msg)}
}

// readGoSum returns the h1: hash of each module zip in the go.sum beside
// in, by purl. The h1 hash is the SHA-256 of the module's file list and file
// hashes (golang.org/x/mod/sumdb/dirhash), written as SHA-256 as
// cyclonedx-gomod does. A missing go.sum is no error.
func readGoSum(in Input) (map[string]sbom.Hash, error) {
	data, err := in.Sibling("go.sum")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sums, err := parseGoSum(data)
	if err != nil {
		return nil, &FileError{Path: path.Join(path.Dir(in.Path), "go.sum"), Err: err}
	}
	return sums, nil
}

// parseGoSum reads go.sum's "module version h1:base64" lines.
func parseGoSum(data []byte) (map[string]sbom.Hash, error) {
	out := map[string]sbom.Hash{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d: want 3 fields, got %d", line, len(f))
		}
		if strings.HasSuffix(f[1], "/go.mod") || !strings.HasPrefix(f[2], "h1:") {
			continue
		}
		sum, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(f[2], "h1:"))
		if err != nil || len(sum) != 32 {
			return nil, fmt.Errorf("line %d: malformed h1 hash", line)
		}
		out[purl.New("Go", f[0], f[1])] = sbom.Hash{Algorithm: "SHA-256", Value: hex.EncodeToString(sum)}
	}
	return out, sc.Err()
}
