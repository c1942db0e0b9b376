package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// CheckpointFormat identifies a checkpoint's predicate.
const CheckpointFormat = "sdlkit.ledger.checkpoint/v1"

// CheckpointPredicateType is the in-toto predicate type of a checkpoint.
const CheckpointPredicateType = "https://sdlkit.dev/ledger-checkpoint/v1"

// Checkpoint is what a checkpoint signs: the ledger's head at a moment and
// the digest of the checkpoint before it, so that checkpoints form a chain
// and a kept one pins the history up to its head.
type Checkpoint struct {
	Format string `json:"format"`
	Seq    int    `json:"seq"`
	Branch string `json:"branch"`
	// Head is the commit the checkpoint seals.
	Head string `json:"head"`
	// Previous is the SHA-256 of the previous checkpoint's bundle file;
	// empty for the first.
	Previous string    `json:"previous,omitempty"`
	Records  int       `json:"records"`
	Product  string    `json:"product,omitempty"`
	Time     time.Time `json:"time"`
}

// Sealer signs a checkpoint: it returns a Sigstore bundle holding a DSSE
// envelope of an in-toto statement of type CheckpointPredicateType whose
// predicate is the given JSON and whose subject's SHA-256 is the
// predicate's.
type Sealer interface {
	Seal(ctx context.Context, predicate []byte) (bundle []byte, err error)
}

// Unsealer verifies a checkpoint bundle and returns the predicate it
// signs and who signed it.
type Unsealer interface {
	Unseal(ctx context.Context, bundle []byte) (predicate []byte, signer string, err error)
}

const (
	checkpointDir    = "checkpoints/"
	checkpointSuffix = ".sigstore.json"
	maxBundleSize    = 1 << 20
)

func checkpointPath(seq int) string {
	return fmt.Sprintf("%s%06d%s", checkpointDir, seq, checkpointSuffix)
}

// checkpointSeq returns the sequence number a checkpoint path names.
func checkpointSeq(path string) (int, bool) {
	s, ok := strings.CutPrefix(path, checkpointDir)
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, checkpointSuffix)
	if !ok || len(s) != 6 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0 && checkpointPath(n) == path
}

// SealedCheckpoint is a checkpoint as written: its predicate and bundle.
type SealedCheckpoint struct {
	Checkpoint Checkpoint
	Bundle     []byte
	// Commit is the ledger commit that added it.
	Commit string
}

// Checkpoint signs the head with s and commits the bundle to the ledger as
// the next checkpoint of the chain.
func (w *Writer) Checkpoint(ctx context.Context, s Sealer) (*SealedCheckpoint, error) {
	l := w.Ledger
	info, err := l.Info()
	if err != nil {
		return nil, err
	}
	unlock, err := l.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	head, err := l.Head()
	if err != nil {
		return nil, err
	}
	c, err := l.commit(head)
	if err != nil {
		return nil, err
	}
	seq, prev, err := l.lastCheckpoint(c)
	if err != nil {
		return nil, err
	}
	n, err := l.countRecords(ctx, head)
	if err != nil {
		return nil, err
	}
	cp := Checkpoint{Format: CheckpointFormat, Seq: seq + 1, Branch: l.branch.Short(), Head: head.String(),
		Previous: prev, Records: n, Product: info.Product, Time: w.now()}
	pred, err := json.Marshal(cp)
	if err != nil {
		return nil, err
	}
	bundle, err := s.Seal(ctx, pred)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	blob, err := l.writeBlob(bundle)
	if err != nil {
		return nil, err
	}
	ed := newTreeEditor(l.checked(), c.TreeHash)
	if _, err := ed.add(checkpointPath(cp.Seq), blob); err != nil {
		return nil, err
	}
	tree, err := ed.write()
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("checkpoint %d of %s\n\nSeals %s (%d records).\n", cp.Seq, cp.Branch, cp.Head, cp.Records)
	commit, err := w.writeCommit(tree, []plumbing.Hash{head}, msg, "sdlkit", cp.Time)
	if err != nil {
		return nil, err
	}
	if err := l.updateRef(head, commit); err != nil {
		return nil, err
	}
	return &SealedCheckpoint{Checkpoint: cp, Bundle: bundle, Commit: commit.String()}, nil
}

// lastCheckpoint returns the sequence number and bundle digest of the
// newest checkpoint in c's tree (0 and "" when there is none).
func (l *Ledger) lastCheckpoint(c *object.Commit) (int, string, error) {
	root, err := c.Tree()
	if err != nil {
		return 0, "", err
	}
	t, err := root.Tree(strings.TrimSuffix(checkpointDir, "/"))
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", err
	}
	seq, prev := 0, ""
	for _, e := range t.Entries {
		n, ok := checkpointSeq(checkpointDir + e.Name)
		if !ok || n <= seq {
			continue
		}
		data, err := l.readBlob(e.Hash, maxBundleSize)
		if err != nil {
			return 0, "", err
		}
		seq, prev = n, sha256Hex(data)
	}
	return seq, prev, nil
}

func (l *Ledger) countRecords(ctx context.Context, commit plumbing.Hash) (int, error) {
	n := 0
	err := l.walkRecords(ctx, commit, func(string, plumbing.Hash) error { n++; return nil })
	return n, err
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// parseCheckpoint decodes a checkpoint predicate strictly.
func parseCheckpoint(data []byte) (*Checkpoint, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var cp Checkpoint
	if err := dec.Decode(&cp); err != nil {
		return nil, fmt.Errorf("checkpoint predicate: %w", err)
	}
	if cp.Format != CheckpointFormat || cp.Seq < 1 || plumbing.NewHash(cp.Head).String() != cp.Head {
		return nil, fmt.Errorf("checkpoint predicate: not a %s checkpoint", CheckpointFormat)
	}
	return &cp, nil
}

// LatestCheckpoint returns the newest checkpoint at the head, its
// predicate read without verifying the signature (Verify does that), or
// nil when the ledger has none.
func (l *Ledger) LatestCheckpoint() (*SealedCheckpoint, error) {
	head, err := l.Head()
	if err != nil {
		return nil, err
	}
	c, err := l.commit(head)
	if err != nil {
		return nil, err
	}
	seq, _, err := l.lastCheckpoint(c)
	if err != nil || seq == 0 {
		return nil, err
	}
	data, err := l.readFile(head, checkpointPath(seq), maxBundleSize)
	if err != nil {
		return nil, err
	}
	pred, err := unverifiedPredicate(data)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %d: %w", seq, err)
	}
	cp, err := parseCheckpoint(pred)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %d: %w", seq, err)
	}
	return &SealedCheckpoint{Checkpoint: *cp, Bundle: data}, nil
}

// HeadCheckpointed reports whether the head is the commit of the latest
// checkpoint and that checkpoint seals the commit before it: nothing was
// recorded since, so a new checkpoint would seal nothing new.
func (l *Ledger) HeadCheckpointed() (bool, error) {
	cp, err := l.LatestCheckpoint()
	if err != nil || cp == nil {
		return false, err
	}
	head, err := l.Head()
	if err != nil {
		return false, err
	}
	c, err := l.commit(head)
	if err != nil {
		return false, err
	}
	return len(c.ParentHashes) == 1 && c.ParentHashes[0].String() == cp.Checkpoint.Head, nil
}
