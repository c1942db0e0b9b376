package advisories

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	"sigs.k8s.io/yaml"

	"github.com/sdlkit/sdlkit/vulnmgmt/osv"
)

// ImportOptions tune Import.
type ImportOptions struct {
	// Now is the import time recorded; zero means time.Now().
	Now time.Time
	// Progress, when set, is called with the number of records read so
	// far, now and then.
	Progress func(read int)
}

// Source is one thing to import: a zip export, a directory, or the
// records of a verified snapshot (Snapshot sets Records).
type Source struct {
	// Path is the file or directory.
	Path string
	// Name names the source in the store's info, when not Path (a
	// download's address).
	Name string
	// Snapshot is set for a snapshot whose signature was verified: its
	// records come from the snapshot reader, each checked against the
	// signed manifest.
	Snapshot *Snapshot
}

// Import adds the records of every source to the store in dir (created
// when missing), in one transaction on a copy of the store that replaces
// it only when every source was read: on any error, or when ctx is
// cancelled, the store is left as it was, and a scan that opens the store
// meanwhile reads the previous one without waiting. A record that is not
// valid OSV, or too large, is skipped and counted; a source that cannot be
// read at all fails the import.
func Import(ctx context.Context, dir string, sources []Source, opts ImportOptions) (*Info, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("import advisories: %w", pathCause(err))
	}
	var info Info
	err := replaceStore(ctx, dir, func(tx *bolt.Tx) error {
		im, err := newImporter(tx, opts)
		if err != nil {
			return err
		}
		for _, src := range sources {
			if err := im.importSource(ctx, src); err != nil {
				return err
			}
		}
		// Cancelled while the last records were written: nothing of it
		// is committed.
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err = im.finish()
		return err
	})
	if err != nil {
		return nil, err
	}
	return &info, nil
}

// importer is one import transaction.
type importer struct {
	tx                *bolt.Tx
	records, packages *bolt.Bucket
	aliases, meta     *bolt.Bucket
	info              Info
	opts              ImportOptions
	read              int
	// pending are the index keys added by this import, by bucket, written
	// in key order when it ends: bbolt inserts sorted keys by appending
	// to full pages, random ones by copying within half-full pages, which
	// made a large import slower with every record.
	pending map[*bolt.Bucket]map[string]struct{}
}

func newImporter(tx *bolt.Tx, opts ImportOptions) (*importer, error) {
	im := &importer{tx: tx, opts: opts}
	if meta := tx.Bucket(bucketMeta); meta != nil {
		info, err := readInfo(tx)
		if err != nil {
			return nil, err
		}
		im.info = info
	}
	for _, b := range []struct {
		name []byte
		dst  **bolt.Bucket
	}{{bucketRecords, &im.records}, {bucketPackages, &im.packages}, {bucketAliases, &im.aliases}, {bucketMeta, &im.meta}} {
		bk, err := tx.CreateBucketIfNotExists(b.name)
		if err != nil {
			return nil, err
		}
		*b.dst = bk
		// Pages as full as bbolt allows for keys mostly appended in
		// order: a store half the size.
		bk.FillPercent = 0.9
	}
	im.pending = map[*bolt.Bucket]map[string]struct{}{im.packages: {}, im.aliases: {}}
	im.info.FormatVersion = formatVersion
	return im, nil
}

func (im *importer) importSource(ctx context.Context, src Source) error {
	si := SourceInfo{Source: cmp.Or(src.Name, src.Path), Kind: "zip", Imported: im.opts.Now}
	batch := make([]entryResult, 0, batchSize)
	batchBytes := 0
	flush := func() error {
		prepare(batch)
		for i := range batch {
			if err := im.add(&si, &batch[i]); err != nil {
				return err
			}
		}
		clear(batch) // let the records' bytes go
		batch, batchBytes = batch[:0], 0
		return nil
	}
	add := func(e entry, readErr error) error {
		batch = append(batch, entryResult{entry: e, err: readErr})
		batchBytes += len(e.data)
		if len(batch) == batchSize || batchBytes >= batchMaxBytes {
			return flush()
		}
		return nil
	}
	var err error
	switch {
	case src.Snapshot != nil:
		si.Kind, si.Signer = "snapshot", src.Snapshot.Signer
		if !src.Snapshot.Verified {
			si.Signer = Unverified
		}
		err = src.Snapshot.records(ctx, add)
	default:
		if fi, statErr := os.Stat(src.Path); statErr == nil && fi.IsDir() {
			si.Kind = "directory"
		}
		err = readSource(ctx, src.Path, si.Source, add)
	}
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	im.info.Sources = append(im.info.Sources, si)
	return nil
}

// batchSize is how many records are parsed and compressed in parallel
// before they are written, in order; batchMaxBytes bounds the bytes a batch
// holds (512 records at the 4 MiB a record may have would be 2 GiB).
const (
	batchSize     = 512
	batchMaxBytes = 64 << 20
)

// entryResult is an entry with its parsed record and stored value, made
// by prepare.
type entryResult struct {
	entry
	err  error
	v    *osv.Vulnerability
	json []byte
	val  []byte
}

// prepare parses and compresses a batch of entries on every core; the
// results keep their order, so that the import does not depend on
// scheduling.
func prepare(batch []entryResult) {
	workers := min(runtime.GOMAXPROCS(0), len(batch))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r := &batch[i]
				if r.err != nil {
					continue
				}
				r.v, r.json, r.err = parseEntry(r.entry)
				if r.err == nil {
					r.val, r.err = encodeRecord(r.v, r.json)
				}
			}
		}()
	}
	for i := range batch {
		next <- i
	}
	close(next)
	wg.Wait()
}

// add stores one prepared record, or counts it as skipped.
func (im *importer) add(si *SourceInfo, r *entryResult) error {
	si.Read++
	im.read++
	if im.opts.Progress != nil && im.read%1000 == 0 {
		im.opts.Progress(im.read)
	}
	if r.err != nil {
		si.Skipped++
		im.skip(r.name, r.err)
		return nil
	}
	v := r.v
	if m := v.GetModified().AsTime(); m.After(si.Newest) {
		si.Newest = m.UTC()
	}
	id := []byte(v.GetId())
	if old := im.records.Get(id); old != nil {
		head, err := parseHeader(old)
		if err != nil {
			return fmt.Errorf("record %s in the store: %w", id, err)
		}
		if !replaces(r.val, head) {
			si.Unchanged++
			return nil
		}
		oldV, err := decodeRecord(string(id), old)
		if err != nil {
			return err
		}
		if err := im.unindex(oldV); err != nil {
			return err
		}
		si.Replaced++
	} else {
		si.Added++
	}
	if err := im.records.Put(id, r.val); err != nil {
		return err
	}
	return im.index(v)
}

// replaces reports whether a record (its stored value) replaces the
// stored one with header old: it is newer by its modified time or, as
// modified, has other content whose SHA-256 is the greater, so that two
// sources that disagree on a record without a newer modified time give
// the same store whatever order they are imported in.
func replaces(val []byte, old recordHeader) bool {
	head, err := parseHeader(val)
	if err != nil {
		return false
	}
	if !head.modified.Equal(old.modified) {
		return head.modified.After(old.modified)
	}
	return bytes.Compare(head.sum[:], old.sum[:]) > 0
}

// parseEntry decodes an entry's record and returns its JSON (YAML is
// converted, so that the store holds JSON only).
func parseEntry(e entry) (*osv.Vulnerability, []byte, error) {
	v, err := osv.Parse(e.data, e.name)
	if err != nil {
		return nil, nil, err
	}
	if err := checkKeys(v); err != nil {
		return nil, nil, fmt.Errorf("read advisory %s: %w", e.name, err)
	}
	data := e.data
	if !json.Valid(data) {
		if data, err = yaml.YAMLToJSON(e.data); err != nil {
			return nil, nil, err
		}
	}
	return v, data, nil
}

func (im *importer) skip(name string, err error) {
	im.info.SkippedTotal++
	im.info.Skipped = append(im.info.Skipped, Skip{Entry: name, Reason: err.Error()})
	if len(im.info.Skipped) > MaxSkipped {
		im.info.Skipped = im.info.Skipped[len(im.info.Skipped)-MaxSkipped:]
	}
}

// indexKeys are the package and alias keys of a record.
func indexKeys(v *osv.Vulnerability) (pkgs, aliases [][]byte) {
	id := v.GetId()
	seen := map[string]bool{}
	for _, a := range v.GetAffected() {
		p := a.GetPackage()
		if p.GetName() == "" || p.GetEcosystem() == "" {
			continue
		}
		k := string(packageKey(p.GetEcosystem(), p.GetName())) + id
		if !seen[k] {
			seen[k] = true
			pkgs = append(pkgs, []byte(k))
		}
	}
	for _, alias := range v.GetAliases() {
		if alias != "" && alias != id {
			aliases = append(aliases, []byte(alias+"\x00"+id))
		}
	}
	return pkgs, aliases
}

// checkKeys refuses a record the store's indexes cannot hold: a NUL in a
// package's ecosystem or name or in an alias (the indexes' separator: such
// a name would be read back as another package's), or a package name or
// alias longer than bbolt's key limit (its write would fail the import).
func checkKeys(v *osv.Vulnerability) error {
	for i, a := range v.GetAffected() {
		if p := a.GetPackage(); strings.ContainsRune(p.GetEcosystem(), 0) || strings.ContainsRune(p.GetName(), 0) {
			return fmt.Errorf("%w: %s: affected[%d] has a NUL in its package", osv.ErrInvalid, v.GetId(), i)
		}
	}
	for _, alias := range v.GetAliases() {
		if strings.ContainsRune(alias, 0) {
			return fmt.Errorf("%w: %s: an alias has a NUL", osv.ErrInvalid, v.GetId())
		}
	}
	pkgs, aliases := indexKeys(v)
	for _, k := range append(pkgs, aliases...) {
		if len(k) > bolt.MaxKeySize {
			return fmt.Errorf("%w: %s: a package name or alias longer than the store's %d-byte limit", osv.ErrInvalid, v.GetId(), bolt.MaxKeySize)
		}
	}
	return nil
}

func (im *importer) index(v *osv.Vulnerability) error {
	pkgs, aliases := indexKeys(v)
	for _, k := range pkgs {
		im.pending[im.packages][string(k)] = struct{}{}
	}
	for _, k := range aliases {
		im.pending[im.aliases][string(k)] = struct{}{}
	}
	return nil
}

func (im *importer) unindex(v *osv.Vulnerability) error {
	pkgs, aliases := indexKeys(v)
	for _, b := range []struct {
		bucket *bolt.Bucket
		keys   [][]byte
	}{{im.packages, pkgs}, {im.aliases, aliases}} {
		for _, k := range b.keys {
			if _, ok := im.pending[b.bucket][string(k)]; ok {
				delete(im.pending[b.bucket], string(k))
				continue
			}
			if err := b.bucket.Delete(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeIndex writes the pending index keys in key order.
func (im *importer) writeIndex() error {
	for bucket, keys := range im.pending {
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			if err := bucket.Put([]byte(k), nil); err != nil {
				return err
			}
		}
		clear(keys)
	}
	return nil
}

// finish recounts the store and writes its info.
func (im *importer) finish() (Info, error) {
	if err := im.writeIndex(); err != nil {
		return Info{}, err
	}
	info := im.info
	info.Records, info.Withdrawn, info.Newest = 0, 0, time.Time{}
	info.Ecosystems = map[string]EcosystemInfo{}
	newest := map[string]time.Time{}
	// Per-ecosystem counts come from the package index (no record need
	// be decompressed): ecosystem \x00 name \x00 id.
	counted := map[string]bool{}
	c := im.packages.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		parts := bytesSplit3(k)
		if parts == nil {
			continue
		}
		eco, id := string(parts[0]), string(parts[2])
		if counted[eco+"\x00"+id] {
			continue
		}
		counted[eco+"\x00"+id] = true
		head, err := parseHeader(im.records.Get(parts[2]))
		if err != nil {
			return info, fmt.Errorf("record %s: %w", id, err)
		}
		ei := info.Ecosystems[eco]
		ei.Records++
		if head.modified.After(newest[eco]) {
			newest[eco] = head.modified
			ei.Newest = head.modified
		}
		info.Ecosystems[eco] = ei
	}
	err := im.records.ForEach(func(k, v []byte) error {
		head, err := parseHeader(v)
		if err != nil {
			return fmt.Errorf("record %s: %w", k, err)
		}
		info.Records++
		if head.withdrawn {
			info.Withdrawn++
		}
		if head.modified.After(info.Newest) {
			info.Newest = head.modified
		}
		return nil
	})
	if err != nil {
		return info, err
	}
	if info.Digest, err = digest(im.tx); err != nil {
		return info, err
	}
	info.Updated = im.opts.Now
	data, err := json.Marshal(info)
	if err != nil {
		return info, err
	}
	return info, im.meta.Put(keyInfo, data)
}

// bytesSplit3 splits an index key "a\x00b\x00c" into its three parts.
func bytesSplit3(k []byte) [][]byte {
	var parts [][]byte
	for range 2 {
		i := bytes.IndexByte(k, 0)
		if i < 0 {
			return nil
		}
		parts = append(parts, k[:i])
		k = k[i+1:]
	}
	return append(parts, k)
}
