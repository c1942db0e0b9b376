package advisories

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// An import writes a copy of the store and renames it over the store when
// it committed, instead of writing the store in place: bbolt locks its file
// for a writer, so that a scan opening the store during an import in place
// would wait for it (and give up after lockTimeout), and the first import
// that fails would leave an empty store file behind. With the copy, a
// reader opens the previous store or the new one, never waits, and never
// sees part of an import; a crash leaves the store as it was (and a stale
// copy, removed by the next import).
//
// Beside the store file, while an import runs:
//
//   - store.db.lock: held by the running import, so that two imports do
//     not each copy the store and the later rename drop the other's
//     records. It is a bbolt file, opened for writing only to take bbolt's
//     file lock (flock, LockFileEx on Windows), never written;
//   - store.db.new: the copy being written.
const (
	lockSuffix = ".lock"
	newSuffix  = ".new"
)

// lockTimeout is how long an import waits for another to finish, and a
// reader for a writer of the store file.
const lockTimeout = 10 * time.Second

// replaceStore runs update in one write transaction on a copy of the store
// in dir and renames the copy over the store when the transaction
// committed and ctx is not cancelled. On any error the store is untouched
// and the copy removed.
func replaceStore(ctx context.Context, dir string, update func(tx *bolt.Tx) error) error {
	path := Path(dir)
	lock, err := bolt.Open(path+lockSuffix, 0o644, &bolt.Options{Timeout: lockTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return fmt.Errorf("import advisories into %q: another import is running (%s is locked)", dir, path+lockSuffix)
	}
	if err != nil {
		return fmt.Errorf("import advisories into %q: %w", dir, err)
	}
	defer lock.Close()
	tmp := path + newSuffix
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("import advisories into %q: remove the copy of a failed import: %w", dir, pathCause(err))
	}
	defer os.Remove(tmp) // gone after the rename
	if err := copyStore(path, tmp); err != nil {
		return fmt.Errorf("import advisories into %q: copy the store: %w", dir, err)
	}
	db, err := bolt.Open(tmp, 0o644, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return fmt.Errorf("import advisories into %q: %w", dir, err)
	}
	err = db.Update(update)
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("import advisories into %q: %w", dir, cerr)
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("import advisories into %q: %w", dir, err)
	}
	syncDir(dir)
	return nil
}

// copyStore copies the store file at path to tmp, as of one read
// transaction; a missing store copies as nothing.
func copyStore(path, tmp string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	db, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true, Timeout: lockTimeout})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error { return tx.CopyFile(tmp, 0o644) })
}

// syncDir makes a rename in dir durable, where the system can (not on
// Windows, where a directory cannot be opened for syncing).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
