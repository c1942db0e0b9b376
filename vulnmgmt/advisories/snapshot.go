package advisories

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// A snapshot carries a store across an air gap: one zip file holding every
// record (records/<ID>.json), a manifest of their SHA-256 digests with the
// store's digest and sources (manifest.json), and a Sigstore bundle over
// the manifest (manifest.json.sigstore.json). The bundle is made and
// checked by the caller (sdlkit's signing package), so that this package
// needs no signing code: Export asks for a signature over the manifest,
// OpenSnapshot hands the manifest and bundle back to be verified, and an
// import refuses a snapshot whose records do not match the manifest.

// Snapshot entry names.
const (
	snapshotManifest = "manifest.json"
	snapshotBundle   = "manifest.json.sigstore.json"
	snapshotRecords  = "records/"
	// SnapshotFormat names the manifest's format.
	SnapshotFormat = "https://sdlkit.dev/advisory-snapshot/v1"
)

// MaxManifest is the largest snapshot manifest read (64 MiB: about 700,000
// records).
const MaxManifest = 64 << 20

// SnapshotManifest is what a snapshot's signature covers.
type SnapshotManifest struct {
	Format  string    `json:"format"`
	Created time.Time `json:"created"`
	// StoreDigest is the exported store's digest; the importing store's
	// digest equals it when it imported nothing else.
	StoreDigest string `json:"store_digest"`
	// Sources are the exported store's sources, with their newest record.
	Sources []SourceInfo `json:"sources"`
	// Records are every record of the snapshot: id and SHA-256 of its JSON.
	Records []SnapshotRecord `json:"records"`
}

// SnapshotRecord is one record of a snapshot.
type SnapshotRecord struct {
	ID     string `json:"id"`
	SHA256 string `json:"sha256"`
}

// SignFunc signs a snapshot manifest and returns a Sigstore bundle (JSON).
type SignFunc func(manifest []byte) (bundle []byte, err error)

// Export writes every record of the store in dir as a snapshot to w. sign
// is asked for a bundle over the manifest; with a nil sign the snapshot is
// unsigned, and importing it needs InsecureUnsigned.
func Export(ctx context.Context, dir string, w io.Writer, now time.Time, sign SignFunc) (*SnapshotManifest, error) {
	s, err := Open(dir)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	info := s.Info()
	m := &SnapshotManifest{Format: SnapshotFormat, Created: now.UTC(), StoreDigest: info.Digest, Sources: info.Sources}
	zw := zip.NewWriter(w)
	err = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRecords).ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			data, err := recordJSON(v)
			if err != nil {
				return fmt.Errorf("record %s: %w", k, err)
			}
			sum := sha256.Sum256(data)
			m.Records = append(m.Records, SnapshotRecord{ID: string(k), SHA256: hex.EncodeToString(sum[:])})
			return writeZipEntry(zw, snapshotRecords+string(k)+".json", data)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("export advisories: %w", err)
	}
	manifest, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return nil, err
	}
	if err := writeZipEntry(zw, snapshotManifest, manifest); err != nil {
		return nil, err
	}
	if sign != nil {
		bundle, err := sign(manifest)
		if err != nil {
			return nil, fmt.Errorf("sign snapshot manifest: %w", err)
		}
		if err := writeZipEntry(zw, snapshotBundle, bundle); err != nil {
			return nil, err
		}
	}
	return m, zw.Close()
}

func writeZipEntry(zw *zip.Writer, name string, data []byte) error {
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Unix(0, 0).UTC()})
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return err
}

// Snapshot is an opened snapshot file.
type Snapshot struct {
	Path string
	// Manifest is the manifest's bytes, what the bundle signs.
	Manifest []byte
	// Bundle is the Sigstore bundle over Manifest, nil for an unsigned
	// snapshot.
	Bundle []byte
	// Signer names who signed it, once the caller verified the bundle
	// (Verified); "" otherwise.
	Signer string
	// Verified is set by the caller after it verified Bundle over
	// Manifest; InsecureUnsigned lets an unverified snapshot be imported.
	Verified, InsecureUnsigned bool

	parsed SnapshotManifest
}

// ErrUnverified is returned by an import of a snapshot that was not
// verified and not explicitly allowed unsigned.
var ErrUnverified = errors.New("the snapshot's signature was not verified")

// IsSnapshot reports whether path is a snapshot (a zip holding a snapshot
// manifest) rather than an OSV export.
func IsSnapshot(path string) bool {
	r, err := zip.OpenReader(path)
	if err != nil {
		return false
	}
	defer r.Close()
	return slices.ContainsFunc(r.File, func(f *zip.File) bool { return f.Name == snapshotManifest })
}

// OpenSnapshot reads a snapshot's manifest and bundle.
func OpenSnapshot(path string) (*Snapshot, error) {
	r, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("read snapshot %q: %v", path, err)
	}
	defer r.Close()
	s := &Snapshot{Path: path}
	for _, f := range r.File {
		switch f.Name {
		case snapshotManifest:
			s.Manifest, err = readBounded(f, MaxManifest)
		case snapshotBundle:
			s.Bundle, err = readBounded(f, 64<<20)
		}
		if err != nil {
			return nil, fmt.Errorf("read snapshot %q: %s: %w", path, f.Name, err)
		}
	}
	if s.Manifest == nil {
		return nil, fmt.Errorf("read snapshot %q: no %s: not an sdlkit advisory snapshot", path, snapshotManifest)
	}
	if err := json.Unmarshal(s.Manifest, &s.parsed); err != nil {
		return nil, fmt.Errorf("read snapshot %q: %s: %v", path, snapshotManifest, err)
	}
	if s.parsed.Format != SnapshotFormat {
		return nil, fmt.Errorf("read snapshot %q: format %q, this sdlkit reads %q", path, s.parsed.Format, SnapshotFormat)
	}
	if err := s.parsed.check(); err != nil {
		return nil, fmt.Errorf("read snapshot %q: %s: %v", path, snapshotManifest, err)
	}
	return s, nil
}

// check reports a manifest whose records do not add up to its store
// digest (the digest a store that imports the snapshot alone has), or that
// lists a record twice.
func (m *SnapshotManifest) check() error {
	records := slices.Clone(m.Records)
	slices.SortFunc(records, func(a, b SnapshotRecord) int { return strings.Compare(a.ID, b.ID) })
	h := sha256.New()
	for i, r := range records {
		if i > 0 && records[i-1].ID == r.ID {
			return fmt.Errorf("record %s is listed twice", r.ID)
		}
		fmt.Fprintf(h, "%s\x00%s\n", r.ID, r.SHA256)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != m.StoreDigest {
		return fmt.Errorf("store digest %s is not the digest of the records listed (%s)", m.StoreDigest, got)
	}
	return nil
}

// ManifestInfo is the parsed manifest.
func (s *Snapshot) ManifestInfo() SnapshotManifest { return s.parsed }

func readBounded(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("larger than the %s limit", readlimit.FormatSize(limit))
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than the %s limit", readlimit.FormatSize(limit))
	}
	return data, nil
}

// records reads the snapshot's records, each checked against the manifest:
// an entry the manifest does not list, a digest that differs, or a listed
// record that is missing fails the import (the snapshot was altered).
func (s *Snapshot) records(ctx context.Context, fn func(e entry, err error) error) error {
	if !s.Verified && !s.InsecureUnsigned {
		return fmt.Errorf("import snapshot %q: %w", s.Path, ErrUnverified)
	}
	want := make(map[string]string, len(s.parsed.Records))
	for _, r := range s.parsed.Records {
		want[r.ID] = r.SHA256
	}
	seen := make(map[string]bool, len(want))
	r, err := zip.OpenReader(s.Path)
	if err != nil {
		return fmt.Errorf("read snapshot %q: %v", s.Path, err)
	}
	defer r.Close()
	for _, f := range r.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		id, ok := strings.CutPrefix(f.Name, snapshotRecords)
		if !ok {
			continue
		}
		id = strings.TrimSuffix(id, path.Ext(id))
		sum, listed := want[id]
		if !listed {
			if seen[id] {
				return fmt.Errorf("import snapshot %q: %s is in the snapshot twice", s.Path, f.Name)
			}
			return fmt.Errorf("import snapshot %q: %s is not in the signed manifest", s.Path, f.Name)
		}
		seen[id] = true
		data, err := readZipEntry(f)
		if err != nil {
			return fmt.Errorf("import snapshot %q: %s: %w", s.Path, f.Name, err)
		}
		if got := sha256.Sum256(data); hex.EncodeToString(got[:]) != sum {
			return fmt.Errorf("import snapshot %q: %s does not match its digest in the signed manifest", s.Path, f.Name)
		}
		delete(want, id)
		if err := fn(entry{name: s.Path + ":" + f.Name, data: data}, nil); err != nil {
			return err
		}
	}
	if len(want) > 0 {
		missing := slices.Sorted(maps.Keys(want))
		more := ""
		if len(missing) > 1 {
			more = fmt.Sprintf(" (and %d more)", len(missing)-1)
		}
		return fmt.Errorf("import snapshot %q: %s%s.json is in the signed manifest but not in the snapshot%s", s.Path, snapshotRecords, missing[0], more)
	}
	return nil
}
