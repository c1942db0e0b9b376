package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// runFSProbe measures what every loose git object costs the file system,
// whoever writes it: create a temporary file, write 1 KiB, close, rename.
// On a disk shared with other work this swings by 10x within minutes, and
// appends (sdlkit's and git's alike) swing with it.
func runFSProbe(c *common, args []string) error {
	fl := c.flags()
	dir := fl.String("dir", "", "a `DIR` on the file system the ledgers are on")
	n := fl.Int("n", 2000, "files")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *n < 1 {
		return usageError("fsprobe -dir DIR [-n 2000]")
	}
	tmp, err := os.MkdirTemp(*dir, "fsprobe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	data := make([]byte, 1024)
	m := newMeter()
	for i := range *n {
		f, err := os.CreateTemp(tmp, "tmp_obj_")
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		if err := os.Rename(f.Name(), filepath.Join(tmp, fmt.Sprintf("obj%d", i))); err != nil {
			return err
		}
	}
	r := m.result("fsprobe", *n, 0)
	fmt.Printf("  %.0f µs a file (create, write 1 KiB, close, rename)\n", float64(r.wall.Microseconds())/float64(*n))
	return c.report(r)
}
