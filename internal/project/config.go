// Package project reads and writes sdlkit.yaml, the small project file that
// tells 'sdlkit run' what a release of the repository is: the product, where
// its built artifacts are, the policy that gates it, how it is signed,
// where the evidence ledger lives, the VEX files and the advisory store.
//
// It is not a workflow language: the chain of steps is fixed by sdlkit run,
// and the file only names inputs. Every key is checked: an unknown or
// misspelt key, a wrong type or a value out of range is an error naming the
// file, line and column, so a typo never silently turns a check off.
//
// The decoder is hand-written over yaml.v3's node tree (rather than
// KnownFields alone) because yaml.v3 reports unknown fields as a list of
// Go type names; users need the key, its place and the keys that exist.
package project

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// Format is the value of the format key of a version 1 project file.
const Format = "sdlkit.config/v1"

// DefaultName is the project file's name at the repository's root.
const DefaultName = "sdlkit.yaml"

// MaxSize bounds the project file: it is a few dozen lines.
const MaxSize = 64 << 10

// ErrInvalid marks a project file that cannot be used.
var ErrInvalid = errors.New("invalid project file")

// Config is a project file, with paths as written (relative to the file's
// directory unless absolute; see Resolve).
type Config struct {
	// Product names the product; Supplier the organisation that supplies it.
	Product  string
	Supplier string
	// Version is the release; empty means the git tag on HEAD.
	Version string
	// Source is the source tree the SBOM is made from (default ".").
	Source string
	// Artifacts are glob patterns (filepath.Match syntax) of the built
	// files of a release; each must match at least one regular file.
	Artifacts []Pattern
	// Policy is a built-in policy's name or a policy file.
	Policy string
	// Signing says how artifacts, attestations and the ledger checkpoint
	// are signed.
	Signing Signing
	// Ledger is the ledger's repository; empty means the sdlkit-ledger
	// branch of the repository holding the project.
	Ledger string
	// Evidence is the evidence folder (default dist/evidence).
	Evidence string
	// VEX are triage files applied to the scan.
	VEX []string
	// Advisories say where the offline advisory store is and how it is fed.
	Advisories Advisories
	// Dir is the directory relative paths are resolved against: the
	// project file's own directory.
	Dir string
	// File names the project file in messages; empty when there is none.
	File string
	// Data are the file's bytes, for its digest in the provenance.
	Data []byte
}

// Pattern is an artifact glob and where it was written, so that a pattern
// matching nothing is reported at its line.
type Pattern struct {
	Glob string
	Line int
}

// Signing is the signing section.
type Signing struct {
	// Key is a private key file (cosign format) or a KMS URI.
	Key string
	// Keyless signs with a Fulcio certificate for the CI's OIDC identity.
	Keyless bool
}

// Advisories is the advisories section.
type Advisories struct {
	// DB is the advisory store's directory; empty means the default store.
	DB string
	// Import are OSV exports (zip, directories) or signed snapshots
	// imported into the store before the scan: the air-gapped feed.
	Import []string
	// SnapshotKey is the public key signed snapshots among Import must be
	// signed with.
	SnapshotKey string
	// Fetch are the ecosystems whose OSV exports are fetched before the
	// scan (connected machines only); empty means no fetch.
	Fetch []string
	// MaxAge fails the run when the store's newest advisory is older.
	MaxAge time.Duration
}

// keys lists the known keys of each section, in the order the template
// writes them.
var keys = map[string][]string{
	"":           {"format", "product", "supplier", "version", "source", "artifacts", "policy", "signing", "ledger", "evidence", "vex", "advisories"},
	"signing":    {"key", "keyless"},
	"advisories": {"db", "import", "snapshot_key", "fetch", "max_age"},
}

// Load reads and checks the project file at path: a regular file, a
// pipe or a device, of at most MaxSize bytes.
func Load(ctx context.Context, path string) (*Config, error) {
	data, err := readlimit.ReadFile(ctx, path, readlimit.Kind{Name: "project file", Limit: MaxSize})
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// Parse checks a project file's bytes; file names it in messages and gives
// the directory relative paths are resolved against.
func Parse(data []byte, file string) (*Config, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%s: %w: not valid UTF-8", file, ErrInvalid)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w: %s", file, ErrInvalid, oneLine(err.Error()))
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: %w: the file is empty; 'sdlkit init' writes one", file, ErrInvalid)
	}
	p := &parser{file: file}
	c := &Config{File: file, Dir: filepath.Dir(file), Data: data}
	if err := p.config(doc.Content[0], c); err != nil {
		return nil, err
	}
	return c, nil
}

// parser walks the node tree, naming the file and place of each problem.
type parser struct{ file string }

func (p *parser) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d:%d: %w: %s", p.file, n.Line, n.Column, ErrInvalid, fmt.Sprintf(format, args...))
}

// mapping returns the key/value pairs of a mapping node, refusing keys the
// section does not know and keys given twice.
func (p *parser) mapping(n *yaml.Node, section string) ([][2]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		name := "the file"
		if section != "" {
			name = section
		}
		return nil, p.errorf(n, "%s must be a mapping of keys to values", name)
	}
	known := keys[section]
	seen := map[string]bool{}
	var pairs [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		if section != "" {
			name = section + "." + k.Value
		}
		if !slices.Contains(known, k.Value) {
			return nil, p.errorf(k, "unknown key %q (known: %s)", name, strings.Join(known, ", "))
		}
		if seen[k.Value] {
			return nil, p.errorf(k, "key %q given twice", name)
		}
		seen[k.Value] = true
		pairs = append(pairs, [2]*yaml.Node{k, v})
	}
	return pairs, nil
}

func (p *parser) config(n *yaml.Node, c *Config) error {
	pairs, err := p.mapping(n, "")
	if err != nil {
		return err
	}
	var format string
	for _, kv := range pairs {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "format":
			err = p.str(v, k.Value, &format)
		case "product":
			err = p.str(v, k.Value, &c.Product)
		case "supplier":
			err = p.str(v, k.Value, &c.Supplier)
		case "version":
			err = p.str(v, k.Value, &c.Version)
		case "source":
			err = p.str(v, k.Value, &c.Source)
		case "artifacts":
			err = p.patterns(v, &c.Artifacts)
		case "policy":
			err = p.str(v, k.Value, &c.Policy)
		case "signing":
			err = p.signing(v, &c.Signing)
		case "ledger":
			err = p.str(v, k.Value, &c.Ledger)
		case "evidence":
			err = p.str(v, k.Value, &c.Evidence)
		case "vex":
			err = p.strs(v, k.Value, &c.VEX)
		case "advisories":
			err = p.advisories(v, &c.Advisories)
		}
		if err != nil {
			return err
		}
	}
	if format != Format {
		return p.errorf(n, "format %q, want %q", format, Format)
	}
	return nil
}

func (p *parser) signing(n *yaml.Node, s *Signing) error {
	pairs, err := p.mapping(n, "signing")
	if err != nil {
		return err
	}
	for _, kv := range pairs {
		switch kv[0].Value {
		case "key":
			err = p.str(kv[1], "signing.key", &s.Key)
		case "keyless":
			err = p.boolean(kv[1], "signing.keyless", &s.Keyless)
		}
		if err != nil {
			return err
		}
	}
	if s.Key != "" && s.Keyless {
		return p.errorf(n, "signing: give key or keyless, not both")
	}
	return nil
}

func (p *parser) advisories(n *yaml.Node, a *Advisories) error {
	pairs, err := p.mapping(n, "advisories")
	if err != nil {
		return err
	}
	for _, kv := range pairs {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "db":
			err = p.str(v, "advisories.db", &a.DB)
		case "import":
			err = p.strs(v, "advisories.import", &a.Import)
		case "snapshot_key":
			err = p.str(v, "advisories.snapshot_key", &a.SnapshotKey)
		case "fetch":
			err = p.strs(v, "advisories.fetch", &a.Fetch)
		case "max_age":
			var s string
			if err = p.str(v, "advisories.max_age", &s); err == nil && s != "" {
				if a.MaxAge, err = ParseAge(s); err != nil {
					err = p.errorf(v, "advisories.max_age %q: %v", s, err)
				}
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// str reads a scalar string; null leaves it empty.
func (p *parser) str(n *yaml.Node, name string, dst *string) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!int" && n.Tag != "!!float") {
		return p.errorf(n, "%s must be a string", name)
	}
	if strings.ContainsFunc(n.Value, isControl) {
		return p.errorf(n, "%s holds a control character", name)
	}
	*dst = n.Value
	return nil
}

func (p *parser) boolean(n *yaml.Node, name string, dst *bool) error {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return p.errorf(n, "%s must be true or false", name)
	}
	return n.Decode(dst)
}

// strs reads a list of strings; a single string is a list of one.
func (p *parser) strs(n *yaml.Node, name string, dst *[]string) error {
	if n.Kind == yaml.ScalarNode {
		var s string
		if err := p.str(n, name, &s); err != nil || s == "" {
			return err
		}
		*dst = append(*dst, s)
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return p.errorf(n, "%s must be a list of strings", name)
	}
	for _, item := range n.Content {
		var s string
		if err := p.str(item, name, &s); err != nil {
			return err
		}
		if s == "" {
			return p.errorf(item, "%s: an empty entry", name)
		}
		*dst = append(*dst, s)
	}
	return nil
}

func (p *parser) patterns(n *yaml.Node, dst *[]Pattern) error {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	for _, item := range items {
		var s string
		if err := p.str(item, "artifacts", &s); err != nil {
			return err
		}
		if s == "" {
			return p.errorf(item, "artifacts: an empty pattern")
		}
		if _, err := filepath.Match(s, ""); err != nil {
			return p.errorf(item, "artifacts: pattern %q: %v", s, err)
		}
		*dst = append(*dst, Pattern{Glob: s, Line: item.Line})
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func oneLine(s string) string {
	s = strings.TrimPrefix(s, "yaml: ")
	return strings.Join(strings.Fields(s), " ")
}
