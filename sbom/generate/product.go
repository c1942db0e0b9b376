package generate

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/purl"

	"github.com/BurntSushi/toml"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"golang.org/x/mod/modfile"
)

// product is metadata.component: the options where set, else what the
// manifest at the root says (go.mod, package.json, Cargo.toml,
// pyproject.toml), else the one package of the project's own that the
// lockfiles at the root list (localProduct), the git tag on HEAD for the
// version, and the directory name as a last resort.
func (g *generator) product() (sbom.Component, error) {
	p := sbom.Component{Type: sbom.TypeApplication}
	if g.file == "" || len(g.binaryMains) == 0 {
		p.Ecosystem, p.Name, p.Version = ManifestProduct(g.root)
	}
	if p.Name == "" {
		p.Ecosystem, p.Name, p.Version = g.localProduct()
	}
	if p.Name == "" && g.sources == 0 {
		p.Ecosystem, p.Name, p.Version = g.binaryProduct()
	}
	if p.Name == "" {
		abs, err := filepath.Abs(g.root)
		if err != nil {
			return sbom.Component{}, fmt.Errorf("generate sbom: %w", err)
		}
		p.Name = filepath.Base(abs)
	}
	if p.Version == "" {
		p.Version = gitTag(g.root)
	}
	if g.opts.Name != "" && g.opts.Name != p.Name {
		// Another name than the manifest's: its ecosystem's purl would
		// name a package that does not exist.
		p.Name, p.Ecosystem = g.opts.Name, ""
	}
	if g.opts.Version != "" {
		p.Version = g.opts.Version
	}
	p.Supplier = g.opts.Supplier
	p.PURL = purl.New(p.Ecosystem, p.Name, p.Version)
	p.BOMRef = p.PURL
	if p.BOMRef == "" {
		p.BOMRef = p.Name
		if p.Version != "" {
			p.BOMRef += "@" + p.Version
		}
	}
	return p, nil
}

// ManifestProduct reads the project's name and version from the first
// manifest at root that names it (go.mod, package.json, Cargo.toml,
// pyproject.toml). Unreadable manifests give nothing: the walk reports
// broken lockfiles, and the options can name the product. Only regular
// files of at most DefaultMaxLockfileSize are read: a pipe or device
// called go.mod is never opened.
func ManifestProduct(root string) (eco, name, version string) {
	read := func(file string) []byte {
		p := filepath.Join(root, file)
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() || fi.Size() > DefaultMaxLockfileSize {
			return nil
		}
		data, _ := os.ReadFile(p)
		return data
	}
	if data := read("go.mod"); data != nil {
		if mf, err := modfile.ParseLax("go.mod", data, nil); err == nil && mf.Module != nil {
			return "Go", mf.Module.Mod.Path, ""
		}
	}
	if data := read("package.json"); data != nil {
		var pj struct{ Name, Version string }
		if json.Unmarshal(data, &pj) == nil && pj.Name != "" {
			return "npm", pj.Name, pj.Version
		}
	}
	if data := read("Cargo.toml"); data != nil {
		var ct struct {
			Package struct{ Name, Version string }
		}
		if _, err := toml.Decode(string(data), &ct); err == nil && ct.Package.Name != "" {
			return "crates.io", ct.Package.Name, ct.Package.Version
		}
	}
	if data := read("pyproject.toml"); data != nil {
		var pp struct {
			Project struct{ Name, Version string }
			Tool    struct {
				Poetry struct{ Name, Version string }
			}
		}
		if _, err := toml.Decode(string(data), &pp); err == nil {
			if pp.Project.Name != "" {
				return "PyPI", pp.Project.Name, pp.Project.Version
			}
			if pp.Tool.Poetry.Name != "" {
				return "PyPI", pp.Tool.Poetry.Name, pp.Tool.Poetry.Version
			}
		}
	}
	return "", "", ""
}

// gitTag returns the highest tag that points at HEAD of the repository
// holding root, or "" when there is none.
func gitTag(root string) string {
	repo, err := git.PlainOpenWithOptions(root, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return ""
	}
	head, err := repo.Head()
	if err != nil {
		return ""
	}
	tags, err := repo.Tags()
	if err != nil {
		return ""
	}
	var names []string
	_ = tags.ForEach(func(ref *plumbing.Reference) error {
		hash := ref.Hash()
		if tag, err := repo.TagObject(hash); err == nil {
			hash = tag.Target
		}
		if hash == head.Hash() {
			names = append(names, ref.Name().Short())
		}
		return nil
	})
	slices.Sort(names)
	if len(names) == 0 {
		return ""
	}
	return names[len(names)-1]
}

// hashArtifacts hashes each file with SHA-256 and SHA-512 in one read.
// Each is named by its path as given, or by its base name when baseNames.
func hashArtifacts(paths []string, baseNames bool) ([]sbom.Artifact, error) {
	out := make([]sbom.Artifact, 0, len(paths))
	for _, p := range paths {
		a, err := hashArtifact(p)
		if err != nil {
			return nil, err
		}
		if baseNames {
			a.Name = filepath.Base(p)
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y sbom.Artifact) int {
		switch {
		case x.Name < y.Name:
			return -1
		case x.Name > y.Name:
			return 1
		}
		return 0
	})
	return out, nil
}

func hashArtifact(path string) (sbom.Artifact, error) {
	f, err := os.Open(path)
	if err != nil {
		return sbom.Artifact{}, fmt.Errorf("hash artifact %s: %w", path, pathCause(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return sbom.Artifact{}, fmt.Errorf("hash artifact %s: %w", path, pathCause(err))
	}
	if !info.Mode().IsRegular() {
		return sbom.Artifact{}, fmt.Errorf("hash artifact %s: not a regular file", path)
	}
	s256, s512 := sha256.New(), sha512.New()
	n, err := io.Copy(io.MultiWriter(s256, s512), f)
	if err != nil {
		return sbom.Artifact{}, fmt.Errorf("hash artifact %s: %w", path, pathCause(err))
	}
	return sbom.Artifact{
		Name: filepath.ToSlash(filepath.Clean(path)),
		Size: n,
		Hashes: []sbom.Hash{
			{Algorithm: "SHA-256", Value: hex.EncodeToString(s256.Sum(nil))},
			{Algorithm: "SHA-512", Value: hex.EncodeToString(s512.Sum(nil))},
		},
	}, nil
}

// pathCause is the cause of an *fs.PathError without the path, which the
// message names already.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// localProduct is the product when no manifest at the root names it: the
// one local package of the lockfiles at the root (a single crate, the
// gemspec's gem). A workspace of several crates has no one name: the
// directory names it.
func (g *generator) localProduct() (eco, name, version string) {
	var found []sbom.Component
	for _, c := range g.locals {
		if path.Dir(c.Locations[0]) == "." {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		return "", "", ""
	}
	return found[0].Ecosystem, found[0].Name, found[0].Version
}

// binaryProduct is the product of a Go binary given as the target, or of a
// tree that holds one Go binary and nothing else: the binary's main module,
// named, versioned and with a purl as its build information says.
func (g *generator) binaryProduct() (eco, name, version string) {
	if len(g.binaryMains) != 1 {
		return "", "", ""
	}
	for ref := range g.binaryMains {
		c := g.comps[ref]
		return c.Ecosystem, c.Name, c.Version
	}
	return "", "", ""
}
