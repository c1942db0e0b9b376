package release

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
)

// countingProgress records what Build and Verify report.
type countingProgress struct {
	total atomic.Int64
	done  atomic.Int64
}

func (c *countingProgress) SetTotal(n int64) { c.total.Store(n) }
func (c *countingProgress) Add(n int)        { c.done.Add(int64(n)) }

func TestProgressCountsEveryByte(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{
		"fw.bin":       strings.Repeat("x", 3<<20+17), // several buffers
		"docs/a.txt":   "hello\n",
		"docs/b/c.txt": "",
	})
	const size = 3<<20 + 17 + 6
	var p countingProgress
	m, err := Build(context.Background(), dir, Options{Progress: &p, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if p.total.Load() != size || p.done.Load() != size {
		t.Errorf("Build progress: total %d done %d, want %d each", p.total.Load(), p.done.Load(), size)
	}
	var v countingProgress
	if _, err := Verify(context.Background(), dir, m, Options{Progress: &v}); err != nil {
		t.Fatal(err)
	}
	if v.total.Load() != size || v.done.Load() != size {
		t.Errorf("Verify progress: total %d done %d, want %d each", v.total.Load(), v.done.Load(), size)
	}
}
