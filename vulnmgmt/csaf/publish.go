package csaf

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sdlkit/sdlkit/internal/jsonschema"
)

// ProviderMetadata is provider-metadata.json (section 7.2.1).
type ProviderMetadata struct {
	CanonicalURL        string            `json:"canonical_url"`
	Distributions       []json.RawMessage `json:"distributions,omitempty"`
	LastUpdated         string            `json:"last_updated"`
	ListOnAggregators   bool              `json:"list_on_CSAF_aggregators"`
	MetadataVersion     string            `json:"metadata_version"`
	MirrorOnAggregators bool              `json:"mirror_on_CSAF_aggregators"`
	PublicOpenPGPKeys   []OpenPGPKeyRef   `json:"public_openpgp_keys,omitempty"`
	Publisher           Publisher         `json:"publisher"`
	Role                string            `json:"role"`
}

// OpenPGPKeyRef names a key that signs the documents.
type OpenPGPKeyRef struct {
	Fingerprint string `json:"fingerprint,omitempty"`
	URL         string `json:"url"`
}

// ProviderMetadataFile is the metadata's name at the top of the directory.
const ProviderMetadataFile = "provider-metadata.json"

// ErrNotProvider is wrapped by the error for a directory that holds files
// but no provider metadata.
var ErrNotProvider = errors.New("not a CSAF provider directory")

// ErrNoNewRevision is wrapped by the error for a document that differs
// from the one published under its name, with the same version.
var ErrNoNewRevision = errors.New("the document changed without a new revision")

// Source is a CSAF document to publish, as read.
type Source struct {
	File string
	Data []byte
}

// PublishOptions say where the directory is served and how to sign.
type PublishOptions struct {
	// BaseURL is where the directory is served, e.g.
	// https://psirt.example.com/.well-known/csaf.
	BaseURL string
	// Signer, when set, makes the OpenPGP signature (.asc) of each
	// document and gives the public key to publish.
	Signer *OpenPGPSigner
}

// File is a file of the directory to write, by its slash path.
type File struct {
	Path string
	Data []byte
}

// Plan is what publishing writes: every file that is new or changed.
type Plan struct {
	Files []File
	// Documents are the paths of the documents written; Unchanged those
	// published before as they are.
	Documents []string
	Unchanged []string
}

// FileName is a document's file name by section 5.1: the tracking id in
// lower case, each character other than a-z, 0-9, + and - made _, and
// ".json".
func FileName(trackingID string) string {
	return invalidName().ReplaceAllString(strings.ToLower(trackingID), "_") + ".json"
}

var invalidName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^+\-a-z0-9]+`) })

// PlanPublish lays the documents out in the provider directory dir (an
// existing one, or an empty or new one): each valid document at
// <tlp>/<YYYY>/<file name> by its TLP label and initial release year, its
// .sha256 and .sha512 (and .asc) beside it, index.txt and changes.csv per
// TLP folder, provider-metadata.json at the top. A document published
// before unchanged is left alone; one changed without a new version is an
// error, as is any invalid document. Nothing is written: the caller writes
// the plan's files.
func PlanPublish(dir fs.FS, srcs []Source, o PublishOptions) (*Plan, error) {
	if !strings.HasPrefix(o.BaseURL, "https://") {
		return nil, fmt.Errorf("publish: base URL %q: a provider directory is served over https://", o.BaseURL)
	}
	o.BaseURL = strings.TrimSuffix(o.BaseURL, "/")
	meta, err := readProviderMetadata(dir)
	if err != nil {
		return nil, err
	}
	p := &publication{dir: dir, o: o, meta: meta, plan: &Plan{}, indexes: map[string]*folderIndex{}}
	for _, s := range srcs {
		if err := p.add(s); err != nil {
			return nil, err
		}
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return p.plan, nil
}

// readProviderMetadata reads the metadata of dir; nil when dir is empty
// or does not exist.
func readProviderMetadata(dir fs.FS) (*ProviderMetadata, error) {
	data, err := fs.ReadFile(dir, ProviderMetadataFile)
	if errors.Is(err, fs.ErrNotExist) {
		entries, derr := fs.ReadDir(dir, ".")
		if derr == nil && len(entries) > 0 {
			return nil, &Error{File: ProviderMetadataFile, Err: fmt.Errorf("%w: it holds %d entries and no %s", ErrNotProvider, len(entries), ProviderMetadataFile)}
		}
		return nil, nil
	}
	if err != nil {
		return nil, &Error{File: ProviderMetadataFile, Err: fmt.Errorf("%w: %v", ErrNotProvider, err)}
	}
	var generic any
	if err := json.Unmarshal(data, &generic); err != nil {
		return nil, &Error{File: ProviderMetadataFile, Err: fmt.Errorf("%w: %v", ErrNotProvider, err)}
	}
	s, err := providerSchema()
	if err != nil {
		return nil, err
	}
	if fs, err := s.Validate(generic); err != nil || len(fs) > 0 {
		if err == nil {
			err = errors.New(fs[0].String())
		}
		return nil, &Error{File: ProviderMetadataFile, Pointer: firstPath(fs), Err: fmt.Errorf("%w: %v", ErrNotProvider, err)}
	}
	var m ProviderMetadata
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, &Error{File: ProviderMetadataFile, Err: err}
	}
	return &m, nil
}

// publication is a plan being made.
type publication struct {
	dir     fs.FS
	o       PublishOptions
	meta    *ProviderMetadata
	plan    *Plan
	indexes map[string]*folderIndex
	pub     *Publisher
}

// folderIndex is index.txt and changes.csv of one TLP folder.
type folderIndex struct {
	changes map[string]string // path in the folder → current release date
}

func (p *publication) add(s Source) error {
	a, err := ParseValid(s.Data, s.File)
	if err != nil {
		return err
	}
	if err := p.samePublisher(a, s.File); err != nil {
		return err
	}
	tlp, rel := place(a)
	full := path.Join(tlp, rel)
	idx, err := p.index(tlp)
	if err != nil {
		return err
	}
	if slices.Contains(p.plan.Documents, full) || slices.Contains(p.plan.Unchanged, full) {
		return &Error{File: s.File, Pointer: "/document/tracking/id", Err: fmt.Errorf("a second document for %s", full)}
	}
	idx.changes[rel] = a.Document.Tracking.CurrentReleaseDate
	old, err := fs.ReadFile(p.dir, full)
	switch {
	case err == nil && bytes.Equal(old, s.Data):
		p.plan.Unchanged = append(p.plan.Unchanged, full)
		return nil
	case err == nil:
		if err := newRevision(old, a, s.File, full); err != nil {
			return err
		}
	case !errors.Is(err, fs.ErrNotExist):
		return &Error{File: full, Err: err}
	}
	p.plan.Documents = append(p.plan.Documents, full)
	return p.writeDocument(full, s.Data)
}

// place is where a document goes: its TLP folder, and in it the folder of
// its initial release year and the file name of section 5.1.
func place(a *Advisory) (tlp, rel string) {
	tlp = "white"
	if d := a.Document.Distribution; d != nil && d.TLP != nil {
		tlp = strings.ToLower(d.TLP.Label)
	}
	return tlp, path.Join(a.Document.Tracking.InitialReleaseDate[:4], FileName(a.Document.Tracking.ID))
}

// writeDocument plans a document with its hashes and signature.
func (p *publication) writeDocument(full string, data []byte) error {
	p.write(full, data)
	name := path.Base(full)
	s256, s512 := sha256.Sum256(data), sha512.Sum512(data)
	p.write(full+".sha256", []byte(hex.EncodeToString(s256[:])+"  "+name+"\n"))
	p.write(full+".sha512", []byte(hex.EncodeToString(s512[:])+"  "+name+"\n"))
	if p.o.Signer == nil {
		return nil
	}
	sig, err := p.o.Signer.Sign(data)
	if err != nil {
		return fmt.Errorf("sign %s: %w", full, err)
	}
	p.write(full+".asc", sig)
	return nil
}

// newRevision accepts a document that replaces a published one only with a
// higher version.
func newRevision(old []byte, a *Advisory, file, full string) error {
	prev, err := Parse(old, full)
	if err != nil {
		return err
	}
	pv, nv := prev.Document.Tracking.Version, a.Document.Tracking.Version
	if compareVersions(nv, pv) <= 0 {
		return &Error{File: file, Pointer: "/document/tracking/version", Err: fmt.Errorf("%w: %s is published with version %s and this is version %s; make a new revision with sdlkit advisory update", ErrNoNewRevision, full, pv, nv)}
	}
	return nil
}

// samePublisher keeps one publisher per directory.
func (p *publication) samePublisher(a *Advisory, file string) error {
	pub := a.Document.Publisher
	want := p.pub
	if want == nil && p.meta != nil {
		want = &p.meta.Publisher
	}
	if want != nil && want.Namespace != pub.Namespace {
		return &Error{File: file, Pointer: "/document/publisher/namespace", Err: fmt.Errorf("publisher %s is not the directory's, %s", pub.Namespace, want.Namespace)}
	}
	if p.pub == nil {
		p.pub = &pub
	}
	return nil
}

// index reads a TLP folder's changes.csv once.
func (p *publication) index(tlp string) (*folderIndex, error) {
	if idx, ok := p.indexes[tlp]; ok {
		return idx, nil
	}
	idx := &folderIndex{changes: map[string]string{}}
	data, err := fs.ReadFile(p.dir, path.Join(tlp, "changes.csv"))
	if err == nil {
		rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			return nil, &Error{File: path.Join(tlp, "changes.csv"), Err: fmt.Errorf("%w: %v", ErrNotProvider, err)}
		}
		for i, r := range rows {
			if len(r) != 2 {
				return nil, &Error{File: path.Join(tlp, "changes.csv"), Err: fmt.Errorf("%w: line %d has %d fields, want 2", ErrNotProvider, i+1, len(r))}
			}
			idx.changes[r[0]] = r[1]
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	p.indexes[tlp] = idx
	return idx, nil
}

func (p *publication) write(name string, data []byte) {
	if old, err := fs.ReadFile(p.dir, name); err == nil && bytes.Equal(old, data) {
		return
	}
	p.plan.Files = append(p.plan.Files, File{Path: name, Data: data})
}

// finish writes the indexes and the provider metadata.
func (p *publication) finish() error {
	var newest string
	for _, tlp := range slices.Sorted(maps.Keys(p.indexes)) {
		idx := p.indexes[tlp]
		paths := slices.Sorted(maps.Keys(idx.changes))
		p.write(path.Join(tlp, "index.txt"), []byte(strings.Join(paths, "\n")+"\n"))
		slices.SortStableFunc(paths, func(a, b string) int { return cmp.Compare(idx.changes[b], idx.changes[a]) })
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.UseCRLF = false
		for _, pth := range paths {
			_ = w.Write([]string{pth, idx.changes[pth]})
			newest = max(newest, normalDate(idx.changes[pth]))
		}
		w.Flush()
		p.write(path.Join(tlp, "changes.csv"), quoteAll(buf.Bytes()))
	}
	if p.pub == nil {
		return errors.New("publish: no document")
	}
	return p.metadata(newest)
}

// quoteAll quotes both fields of each line, as the examples of section
// 7.1.13 do ("2023/a.json","2023-07-04T09:00:00Z"); encoding/csv quotes
// only where needed, and neither field holds a quote.
func quoteAll(data []byte) []byte {
	var out bytes.Buffer
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		a, b, _ := strings.Cut(line, ",")
		fmt.Fprintf(&out, "%q,%q\n", strings.Trim(a, `"`), strings.Trim(b, `"`))
	}
	return out.Bytes()
}

func normalDate(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.UTC().Format(time.RFC3339)
}

func (p *publication) metadata(newest string) error {
	m := ProviderMetadata{}
	if p.meta != nil {
		m = *p.meta
	}
	m.CanonicalURL = p.o.BaseURL + "/" + ProviderMetadataFile
	m.MetadataVersion = "2.0"
	m.Publisher = *p.pub
	m.Role = cmp.Or(m.Role, "csaf_provider")
	if p.meta == nil {
		m.ListOnAggregators, m.MirrorOnAggregators = true, true
	}
	m.LastUpdated = max(m.LastUpdated, newest)
	for _, tlp := range slices.Sorted(maps.Keys(p.indexes)) {
		d, _ := json.Marshal(map[string]string{"directory_url": p.o.BaseURL + "/" + tlp + "/"})
		if !slices.ContainsFunc(m.Distributions, func(x json.RawMessage) bool {
			var c bytes.Buffer
			return json.Compact(&c, x) == nil && bytes.Equal(c.Bytes(), d)
		}) {
			m.Distributions = append(m.Distributions, d)
		}
	}
	if s := p.o.Signer; s != nil {
		ref := OpenPGPKeyRef{Fingerprint: s.Fingerprint(), URL: p.o.BaseURL + "/openpgp/" + s.Fingerprint() + ".asc"}
		if !slices.Contains(m.PublicOpenPGPKeys, ref) {
			m.PublicOpenPGPKeys = append(m.PublicOpenPGPKeys, ref)
		}
		pub, err := s.PublicKey()
		if err != nil {
			return err
		}
		p.write("openpgp/"+s.Fingerprint()+".asc", pub)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return err
	}
	var generic any
	_ = json.Unmarshal(buf.Bytes(), &generic)
	s, err := providerSchema()
	if err != nil {
		return err
	}
	if fs, err := s.Validate(generic); err != nil || len(fs) > 0 {
		return fmt.Errorf("publish: the provider metadata would break its schema: %v %v", fs, err)
	}
	p.write(ProviderMetadataFile, buf.Bytes())
	return nil
}

func firstPath(fs []jsonschema.Finding) string {
	if len(fs) == 0 {
		return ""
	}
	return fs[0].Path
}
