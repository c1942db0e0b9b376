package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
)

// runStoreStats prints where the bytes of a bbolt file go: per top-level
// bucket (sdlkit's store has records, packages, aliases and meta) the
// keys, the pages allocated and the bytes in use, and what is left: free
// and unused pages. It opens the file read-only, as a scan does.
func runStoreStats(args []string) error {
	fl := flag.NewFlagSet("storestats", flag.ContinueOnError)
	if err := fl.Parse(args); err != nil || fl.NArg() != 1 {
		return usageError("storestats FILE")
	}
	path := fl.Arg(0)
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	db, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		return fmt.Errorf("open %q: %w", path, err)
	}
	defer db.Close()
	mib := func(n int) float64 { return float64(n) / (1 << 20) }
	return db.View(func(tx *bolt.Tx) error {
		fmt.Printf("  %-9s %9s %12s %12s %6s\n", "bucket", "keys", "alloc MiB", "in use MiB", "fill")
		var alloc int
		err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			s := b.Stats()
			a := s.BranchAlloc + s.LeafAlloc
			u := s.BranchInuse + s.LeafInuse
			alloc += a
			fmt.Printf("  %-9s %9d %12.1f %12.1f %5.0f%%\n", name, s.KeyN, mib(a), mib(u), 100*float64(u)/float64(max(a, 1)))
			return nil
		})
		if err != nil {
			return err
		}
		size := int(tx.Size())
		fmt.Printf("  file %.1f MiB: %.1f MiB in buckets, %.1f MiB free or unused pages, %.1f MiB past the last page (preallocated)\n",
			mib(int(st.Size())), mib(alloc), mib(size-alloc), mib(int(st.Size())-size))
		return nil
	})
}
