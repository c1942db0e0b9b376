package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// ErrMoved: the branch moved while a record was being written (another
// writer appended first); the caller rebuilds on the new head.
var ErrMoved = errors.New("ledger branch moved")

// staleLock is how old a "<ref>.lock" left by a killed writer must be
// before a writer holding the ledger's lock removes it.
const staleLock = 10 * time.Second

// lock takes the ledger's writer lock, a file lock the kernel releases
// when the process dies, so a killed writer never blocks the next one.
func (l *Ledger) lock(ctx context.Context) (unlock func(), err error) {
	fs := l.storage.Filesystem()
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
	f, err := createLock(lockPath)
	if err != nil {
		return fmt.Errorf("update %s: %w", l.branch.Short(), err)
	}
	placed := false
	defer func() {
		if !placed {
			os.Remove(lockPath)
		}
	}()
	if _, err := f.WriteString(new.String() + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("update %s: %w", l.branch.Short(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("update %s: %w", l.branch.Short(), err)
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

// createLock creates a "<ref>.lock" file exclusively, waiting a little for
// a git process holding it and removing one a killed writer left behind.
func createLock(lockPath string) (*os.File, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		if fi, serr := os.Stat(lockPath); serr == nil && time.Since(fi.ModTime()) > staleLock {
			os.Remove(lockPath)
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s is held by another git process", lockPath)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
