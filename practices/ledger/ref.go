package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
)

// ErrMoved: the branch moved while a record was being written (another
// writer appended first); the caller rebuilds on the new head.
var ErrMoved = errors.New("ledger branch moved")

// staleLock is how old a "<ref>.lock" left by a killed writer must be
// before a writer holding the ledger's lock removes it.
const staleLock = 10 * time.Second

// lock takes the ledger's writer lock, a file lock the kernel releases
// when the process dies, so a killed writer never blocks the next one. It
// is in the git directory that holds the refs, so that writers in every
// worktree of a repository take the same lock.
func (l *Ledger) lock(ctx context.Context) (unlock func(), err error) {
	fs := osfs.New(l.GitDir())
	if err := fs.MkdirAll("sdlkit", 0o755); err != nil {
		return nil, fmt.Errorf("lock ledger: %w", err)
	}
	f, err := fs.OpenFile(fs.Join("sdlkit", "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock ledger: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- f.Lock() }()
	select {
	case err := <-done:
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock ledger: %w", err)
		}
	case <-ctx.Done():
		go func() {
			if <-done == nil {
				f.Unlock()
			}
			f.Close()
		}()
		return nil, ctx.Err()
	}
	return func() { f.Unlock(); f.Close() }, nil
}

// updateRef moves the branch from old (zero: the branch must not exist) to
// new with git's lock protocol, so that git itself and other writers see
// either the old or the new value, never an empty or half-written ref. The
// caller holds l.lock.
func (l *Ledger) updateRef(old, new plumbing.Hash) error {
	path := l.refPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("update %s: %w", l.branch.Short(), err)
	}
	lockPath := path + ".lock"
	note, err := l.noteLock(lockPath, new)
	if err != nil {
		return fmt.Errorf("update %s: %w", l.branch.Short(), err)
	}
	defer os.Remove(note)
	if err := createLock(lockPath, note); err != nil {
		return fmt.Errorf("update %s: %w", l.branch.Short(), err)
	}
	placed := false
	defer func() {
		if !placed {
			os.Remove(lockPath)
		}
	}()
	if testHookRefLocked != nil {
		testHookRefLocked()
	}
	cur, err := l.Head()
	if err != nil {
		return err
	}
	if cur != old {
		return fmt.Errorf("update %s: %w (now %s)", l.branch.Short(), ErrMoved, cur)
	}
	if err := os.Rename(lockPath, path); err != nil {
		return fmt.Errorf("update %s: %w", l.branch.Short(), err)
	}
	placed = true
	return nil
}

// noteLock removes the "<ref>.lock" a writer killed while holding it left
// behind, and writes the note, a new file holding the ref's new value, that
// createLock links as this writer's "<ref>.lock".
//
// The lock is a hard link of the note, so it appears whole (never empty)
// and stays recognisable: the caller holds l.lock, so no other sdlkit
// writer is running, and a lock that is the same file as the note is the
// lock of a writer that died before renaming it. Any other lock belongs to
// someone who does not take l.lock (git update-ref, a push into this
// repository) and is left alone, to createLock's wait and its rule for
// stale locks.
func (l *Ledger) noteLock(lockPath string, value plumbing.Hash) (string, error) {
	note := l.lockNotePath()
	if ni, err := os.Lstat(note); err == nil {
		if li, err := os.Lstat(lockPath); err == nil && os.SameFile(ni, li) {
			if err := os.Remove(lockPath); err != nil && !errors.Is(err, os.ErrNotExist) {
				return "", err
			}
		}
	}
	// Removed, not rewritten: a writer killed after its rename left the
	// note linked to the ref itself.
	if err := os.Remove(note); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(note), 0o755); err != nil {
		return "", err
	}
	f, err := os.OpenFile(note, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return "", err
	}
	_, err = f.WriteString(value.String() + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return note, err
}

// lockNotePath is the note of the branch's lock (see noteLock).
func (l *Ledger) lockNotePath() string {
	return filepath.Join(l.GitDir(), "sdlkit", "ref-lock", filepath.FromSlash(l.branch.String()))
}

// testHookRefLocked, when set, runs while updateRef holds "<ref>.lock",
// before the rename: tests stop a writer there.
var testHookRefLocked func()

// createLock creates "<ref>.lock" exclusively as a hard link of note,
// waiting a little for a git process holding it and removing one left
// behind long ago. Where the file system has no hard links, it creates the
// lock and copies the note into it, as git does; there a killed writer's
// lock is not recognised, and waits out the stale rule.
func createLock(lockPath, note string) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := os.Link(note, lockPath)
		if err != nil && !errors.Is(err, os.ErrExist) {
			err = copyLock(lockPath, note)
		}
		if err == nil {
			return nil
		}
		if !errors.Is(err, os.ErrExist) {
			return err
		}
		if fi, serr := os.Stat(lockPath); serr == nil && time.Since(fi.ModTime()) > staleLock {
			os.Remove(lockPath)
			continue
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is held by another git process", lockPath)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// copyLock creates lockPath exclusively and writes note's content in it.
func copyLock(lockPath, note string) error {
	data, err := os.ReadFile(note)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
