// Package advisories is the offline OSV advisory store: advisories imported
// from OSV exports (the per-ecosystem all.zip files osv.dev publishes),
// directories of OSV JSON or YAML, or signed snapshots carried across an
// air gap, kept in one bbolt file and indexed by (ecosystem, package name)
// and by alias, so that a scan reads only the advisories of the packages in
// its SBOM.
//
// Layout of the bbolt file (store.db in the store directory):
//
//   - records: id → header (modified time, withdrawn, SHA-256 of the JSON)
//     and the record's JSON, DEFLATE-compressed;
//   - packages: ecosystem \x00 name \x00 id → nothing; the name folded as
//     its ecosystem tells names apart (PEP 503 for PyPI), the ecosystem
//     without its release ("Debian" for "Debian:12");
//   - aliases: alias \x00 id → nothing;
//   - meta: the store's Info (sources, per-ecosystem counts, skipped
//     records, digest).
//
// An import is one bbolt transaction on a copy of the file (store.db.new),
// renamed over store.db when it committed, one import at a time
// (store.db.lock): a crash, a kill or Ctrl-C leaves the store as it was
// before, and a scan meanwhile reads the previous store without waiting. A
// newer record replaces an older one of the same id by its modified time
// (of two with the same modified time, the one with the greater SHA-256, so
// that the order of the sources does not matter); withdrawn records are
// kept and never match. The store's digest is the SHA-256 over every
// record's id and content hash in id order: it names what a scan was
// checked against, whatever the file's page layout.
package advisories

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sdlkit/sdlkit/sbom/purl"
	"github.com/sdlkit/sdlkit/vulnmgmt/osv"
)

// FileName is the store's file in its directory.
const FileName = "store.db"

// formatVersion is the layout version of the file; a store of another
// version must be imported anew.
const formatVersion = 1

var (
	bucketRecords  = []byte("records")
	bucketPackages = []byte("packages")
	bucketAliases  = []byte("aliases")
	bucketMeta     = []byte("meta")
	keyInfo        = []byte("info")
)

// ErrNoStore is returned by Open when the directory holds no store.
var ErrNoStore = errors.New("no advisory store")

// Store is an open advisory store, read-only.
type Store struct {
	db   *bolt.DB
	info Info
}

// Info describes what a store holds.
type Info struct {
	FormatVersion int `json:"format_version"`
	// Records counts every record, withdrawn ones included.
	Records   int `json:"records"`
	Withdrawn int `json:"withdrawn"`
	// Ecosystems are per-ecosystem counts of records and their newest
	// modified time.
	Ecosystems map[string]EcosystemInfo `json:"ecosystems"`
	// Newest is the newest modified time of any record.
	Newest time.Time `json:"newest"`
	// Sources are the imports, newest last.
	Sources []SourceInfo `json:"sources"`
	// Skipped are the records imports left out, with the reason (the
	// newest MaxSkipped of them; SkippedTotal counts all).
	Skipped      []Skip `json:"skipped"`
	SkippedTotal int    `json:"skipped_total"`
	// Digest names the content: SHA-256 over every record's id and the
	// SHA-256 of its JSON, in id order.
	Digest string `json:"digest"`
	// Updated is when the last import finished.
	Updated time.Time `json:"updated"`
}

// EcosystemInfo counts one ecosystem's records.
type EcosystemInfo struct {
	Records int       `json:"records"`
	Newest  time.Time `json:"newest"`
}

// SourceInfo is one import of one source.
type SourceInfo struct {
	Source string `json:"source"`
	// Kind is "zip", "directory" or "snapshot".
	Kind     string    `json:"kind"`
	Imported time.Time `json:"imported"`
	Read     int       `json:"read"`
	Added    int       `json:"added"`
	Replaced int       `json:"replaced"`
	// Unchanged are records the store already had in this or a newer
	// version.
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
	// Newest is the newest modified time among the source's records.
	Newest time.Time `json:"newest"`
	// Signer names who signed a snapshot, Unverified for one imported
	// without checking its signature, "" for other sources.
	Signer string `json:"signer,omitempty"`
}

// Skip is a record an import left out.
type Skip struct {
	Entry  string `json:"entry"`
	Reason string `json:"reason"`
}

// MaxSkipped is how many skipped records Info lists.
const MaxSkipped = 1000

// Unverified is the Signer of a snapshot imported without checking who
// signed it.
const Unverified = "UNVERIFIED"

// Path is the store file of the store directory dir.
func Path(dir string) string { return filepath.Join(dir, FileName) }

// Open opens the store in dir for reading. It fails with ErrNoStore when
// dir holds none.
func Open(dir string) (*Store, error) {
	p := Path(dir)
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("open advisory store %q: %w", dir, ErrNoStore)
	}
	db, err := bolt.Open(p, 0o600, &bolt.Options{ReadOnly: true, Timeout: 10 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open advisory store %q: %w", dir, err)
	}
	s := &Store{db: db}
	err = db.View(func(tx *bolt.Tx) error {
		info, err := readInfo(tx)
		if err != nil {
			return err
		}
		s.info = info
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open advisory store %q: %w", dir, err)
	}
	return s, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// Info describes the store.
func (s *Store) Info() Info { return s.info }

func readInfo(tx *bolt.Tx) (Info, error) {
	var info Info
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return info, fmt.Errorf("%w: not an sdlkit advisory store", ErrNoStore)
	}
	if err := json.Unmarshal(meta.Get(keyInfo), &info); err != nil {
		return info, fmt.Errorf("read store info: %w", err)
	}
	if info.FormatVersion != formatVersion {
		return info, fmt.Errorf("store format %d, this sdlkit reads %d: import the advisories anew", info.FormatVersion, formatVersion)
	}
	return info, nil
}

// packageKey is the index key prefix of a package.
func packageKey(ecosystem, name string) []byte {
	eco, _, _ := strings.Cut(ecosystem, ":")
	typ, _ := purl.Type(eco)
	return []byte(eco + "\x00" + purl.FoldName(typ, name) + "\x00")
}

// Lookup returns the advisories that name the package (ecosystem, name),
// withdrawn ones included, decoded, in id order.
func (s *Store) Lookup(ecosystem, name string) ([]*osv.Vulnerability, error) {
	var out []*osv.Vulnerability
	err := s.db.View(func(tx *bolt.Tx) error {
		ids := idsWithPrefix(tx.Bucket(bucketPackages), packageKey(ecosystem, name))
		records := tx.Bucket(bucketRecords)
		for _, id := range ids {
			v, err := decodeRecord(id, records.Get([]byte(id)))
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// Record returns one advisory by id or alias; nil when the store has none.
func (s *Store) Record(id string) (*osv.Vulnerability, error) {
	var out *osv.Vulnerability
	err := s.db.View(func(tx *bolt.Tx) error {
		records := tx.Bucket(bucketRecords)
		ids := []string{id}
		if records.Get([]byte(id)) == nil {
			ids = idsWithPrefix(tx.Bucket(bucketAliases), []byte(id+"\x00"))
		}
		if len(ids) == 0 || records.Get([]byte(ids[0])) == nil {
			return nil
		}
		v, err := decodeRecord(ids[0], records.Get([]byte(ids[0])))
		out = v
		return err
	})
	return out, err
}

// idsWithPrefix lists the ids of an index bucket's keys that start with
// prefix (prefix \x00 id).
func idsWithPrefix(b *bolt.Bucket, prefix []byte) []string {
	var ids []string
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		ids = append(ids, string(k[len(prefix):]))
	}
	return ids
}

// headerSize is the record header: modified (8 bytes of Unix seconds, 4
// of nanoseconds: the Go vulnerability database's source files say
// 0001-01-01, before what Unix nanoseconds hold), withdrawn (1 byte),
// SHA-256 of the JSON (32 bytes).
const headerSize = 12 + 1 + sha256.Size

// recordHeader is a stored record's header.
type recordHeader struct {
	modified  time.Time
	withdrawn bool
	sum       [sha256.Size]byte
}

func parseHeader(val []byte) (recordHeader, error) {
	if len(val) < headerSize {
		return recordHeader{}, errors.New("record shorter than its header")
	}
	h := recordHeader{
		modified:  time.Unix(int64(binary.BigEndian.Uint64(val[:8])), int64(binary.BigEndian.Uint32(val[8:12]))).UTC(),
		withdrawn: val[12] == 1,
	}
	copy(h.sum[:], val[13:headerSize])
	return h, nil
}

// encodeRecord stores a record's JSON with its header.
func encodeRecord(v *osv.Vulnerability, jsonData []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(headerSize + len(jsonData)/4)
	var head [headerSize]byte
	modified := v.GetModified().AsTime()
	binary.BigEndian.PutUint64(head[:8], uint64(modified.Unix()))
	binary.BigEndian.PutUint32(head[8:12], uint32(modified.Nanosecond()))
	if v.GetWithdrawn() != nil {
		head[12] = 1
	}
	sum := sha256.Sum256(jsonData)
	copy(head[13:], sum[:])
	buf.Write(head[:])
	w := flateWriters.Get().(*flate.Writer)
	defer flateWriters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(jsonData); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// flateWriters reuse compressors: making one allocates about 1 MB.
var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

// recordJSON returns a stored record's JSON.
func recordJSON(val []byte) ([]byte, error) {
	if len(val) < headerSize {
		return nil, errors.New("record shorter than its header")
	}
	r := flate.NewReader(bytes.NewReader(val[headerSize:]))
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, osv.MaxRecordSize+1))
}

func decodeRecord(id string, val []byte) (*osv.Vulnerability, error) {
	data, err := recordJSON(val)
	if err != nil {
		return nil, fmt.Errorf("read advisory %s from the store: %w", id, err)
	}
	return osv.Parse(data, id)
}

// digest computes the store digest: SHA-256 over "id\x00hex(sum)\n" of
// every record, in id order (bbolt keeps keys sorted).
func digest(tx *bolt.Tx) (string, error) {
	h := sha256.New()
	err := tx.Bucket(bucketRecords).ForEach(func(k, v []byte) error {
		head, err := parseHeader(v)
		if err != nil {
			return fmt.Errorf("record %s: %w", k, err)
		}
		h.Write(k)
		h.Write([]byte{0})
		h.Write([]byte(hex.EncodeToString(head.sum[:])))
		h.Write([]byte{'\n'})
		return nil
	})
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), err
}

// ecosystemsOf lists the ecosystems (without release) a record names.
func ecosystemsOf(v *osv.Vulnerability) []string {
	var out []string
	for _, a := range v.GetAffected() {
		eco, _, _ := strings.Cut(a.GetPackage().GetEcosystem(), ":")
		if eco != "" && !slices.Contains(out, eco) {
			out = append(out, eco)
		}
	}
	return out
}
