package ledger

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
)

// verifyCache is the state of the last clean verification made with one
// CacheKey: the head it reached and what it counted and chained. Verify
// resumes from it only after its own check: the cached head must be on the
// first-parent history of the current head, walked through the real commit
// objects, so a reset or rewritten history falls back to a full
// verification. Everything before the cached head is then bound to it by
// git's object hashes. The cache lives in the git directory, never on the
// branch, and is written only after a verification without problems; an
// assessor verifying an export or a fresh clone has none. With a
// CacheSecret the file ends in an HMAC-SHA256 of the rest, so that only a
// verification holding the secret could have written it.
type verifyCache struct {
	Key           string
	Head          plumbing.Hash
	Commits       int
	Records       int
	EvidenceFiles int
	EvidenceBytes int64
	Checkpoints   int
	SignedCommits int
	LastSeq       int
	LastCP        string
	CPFiles       map[int]string
	Verified      []string
	Warnings      []string
}

// The cache file's header (see cacheWriter). The version changes with
// what the file holds; version 1 was a gob.
const (
	verifyCacheMagic   = "sdlkit ledger verification\n"
	verifyCacheVersion = 2
)

// encode writes c as the cache file.
func (c *verifyCache) encode() []byte {
	w := newCacheWriter(verifyCacheMagic, verifyCacheVersion, 4096)
	w.str(c.Key)
	w.hash(c.Head)
	for _, n := range []int{c.Commits, c.Records, c.EvidenceFiles, c.Checkpoints, c.SignedCommits, c.LastSeq} {
		w.int(n)
	}
	w.int64(c.EvidenceBytes)
	w.str(c.LastCP)
	seqs := slices.Sorted(maps.Keys(c.CPFiles))
	w.int(len(seqs))
	for _, seq := range seqs {
		w.int(seq)
		w.str(c.CPFiles[seq])
	}
	w.strs(c.Verified)
	w.strs(c.Warnings)
	return w.bytes()
}

// decodeVerifyCache reads a cache file; nil means the file is not one
// whole.
func decodeVerifyCache(file []byte) *verifyCache {
	r := openCache(file, verifyCacheMagic, verifyCacheVersion)
	if r == nil {
		return nil
	}
	c := &verifyCache{Key: r.str(), Head: r.hash()}
	for _, n := range []*int{&c.Commits, &c.Records, &c.EvidenceFiles, &c.Checkpoints, &c.SignedCommits, &c.LastSeq} {
		*n = r.int()
	}
	c.EvidenceBytes = r.int64()
	c.LastCP = r.str()
	c.CPFiles = map[int]string{}
	for range r.count(2) {
		seq := r.int()
		c.CPFiles[seq] = r.str()
	}
	c.Verified, c.Warnings = r.strs(), r.strs()
	if !r.ok() {
		return nil
	}
	return c
}

func (v *verifier) cachePath() string {
	sum := sha256.Sum256([]byte(v.opts.CacheKey + "\x00" + v.l.branch.String()))
	return filepath.Join(v.l.GitDir(), "sdlkit", "verify-"+hex.EncodeToString(sum[:8])+".bin")
}

// resume returns the commits to verify, oldest first, and the commit
// before the first of them (nil: verify from the root). It starts from the
// cache when one applies.
func (v *verifier) resume(ctx context.Context, head plumbing.Hash) ([]*object.Commit, *object.Commit, error) {
	if c := v.loadCache(); c != nil {
		var chain []*object.Commit
		for h := head; h != c.Head; {
			cm, err := v.l.commit(h)
			if err != nil || len(cm.ParentHashes) != 1 {
				chain = nil
				break
			}
			chain = append(chain, cm)
			h = cm.ParentHashes[0]
		}
		if base, err := v.l.commit(c.Head); err == nil && (len(chain) > 0 || head == c.Head) {
			slices.Reverse(chain)
			v.restore(c)
			return chain, base, nil
		}
	}
	chain, err := v.l.firstParents(ctx, head, v.rep)
	return chain, nil, err
}

func (v *verifier) loadCache() *verifyCache {
	if v.opts.CacheKey == "" {
		return nil
	}
	data, err := os.ReadFile(v.cachePath())
	if err != nil {
		return nil
	}
	if secret := v.opts.CacheSecret; len(secret) > 0 {
		if len(data) < sha256.Size {
			return nil
		}
		body, tag := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
		if !hmac.Equal(cacheMAC(secret, body), tag) {
			return nil
		}
		data = body
	}
	c := decodeVerifyCache(data)
	if c == nil || c.Key != v.opts.CacheKey {
		return nil
	}
	return c
}

func (v *verifier) restore(c *verifyCache) {
	r := v.rep
	r.Commits, r.EvidenceFiles, r.EvidenceBytes, r.Checkpoints, r.SignedCommits = c.Commits, c.EvidenceFiles, c.EvidenceBytes, c.Checkpoints, c.SignedCommits
	r.Verified = slices.Clone(c.Verified)
	r.Warnings = slices.Clone(c.Warnings)
	r.Resumed = c.Head.String()
	v.records, v.lastSeq, v.lastCP = c.Records, c.LastSeq, c.LastCP
	if c.CPFiles != nil {
		v.cpFiles = c.CPFiles
	}
}

// save writes the cache after a clean verification; a failure to write it
// only costs the next verification time.
func (v *verifier) save(head plumbing.Hash) {
	if v.opts.CacheKey == "" || !v.rep.OK() {
		return
	}
	r := v.rep
	c := verifyCache{Key: v.opts.CacheKey, Head: head, Commits: r.Commits, Records: v.records,
		EvidenceFiles: r.EvidenceFiles, EvidenceBytes: r.EvidenceBytes, Checkpoints: r.Checkpoints, SignedCommits: r.SignedCommits,
		LastSeq: v.lastSeq, LastCP: v.lastCP, CPFiles: v.cpFiles, Verified: r.Verified, Warnings: r.Warnings}
	if os.MkdirAll(filepath.Dir(v.cachePath()), 0o755) != nil {
		return
	}
	data := c.encode()
	if secret := v.opts.CacheSecret; len(secret) > 0 {
		data = append(data, cacheMAC(secret, data)...)
	}
	_ = atomicfile.WriteFile(v.cachePath(), data)
}

// cacheMAC authenticates a cache file's content with secret.
func cacheMAC(secret, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return m.Sum(nil)
}

// evidenceInTree looks an evidence blob up in commit c's tree: one added
// before the commits this verification walked (it was hashed when it was
// added, and c's tree is bound to it by hash).
func (v *verifier) evidenceInTree(c *object.Commit, digest string) (int64, bool) {
	e, err := v.l.lookup(c.TreeHash, EvidencePath(digest))
	if err != nil || !e.Mode.IsFile() {
		return 0, false
	}
	rd, size, err := v.l.openBlob(e.Hash, fastSHA1)
	if err != nil {
		return 0, false
	}
	rd.Close()
	return size, true
}

// onFirstParents reports whether target is head or on head's first-parent
// history.
func (l *Ledger) onFirstParents(ctx context.Context, head, target plumbing.Hash) bool {
	for h := head; ctx.Err() == nil; {
		if h == target {
			return true
		}
		c, err := l.commit(h)
		if err != nil || len(c.ParentHashes) == 0 {
			return false
		}
		h = c.ParentHashes[0]
	}
	return false
}
