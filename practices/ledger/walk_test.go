package ledger

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// orderedMap uses results in index order whatever order the workers
// finish in, never runs further ahead than its window, and stops when its
// context is done.
func TestOrderedMap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name               string
		n, workers, window int
		cancelAt           int // -1: never
	}{
		{"one worker", 50, 1, 1, -1},
		{"more workers than the window", 200, 8, 3, -1},
		{"a wide window", 200, 4, 64, -1},
		{"nothing to do", 0, 2, 4, -1},
		{"canceled", 200, 4, 8, 17},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var used, ahead atomic.Int64
			var got []int
			err := orderedMap(ctx, tc.n, tc.workers, tc.window,
				func(i int) int {
					if d := int64(i) - used.Load(); d >= int64(tc.window) {
						ahead.Store(d)
					}
					time.Sleep(time.Duration(i*7%5) * 100 * time.Microsecond)
					return i * i
				},
				func(i, sq int) {
					if sq != i*i || i != len(got) {
						t.Errorf("use(%d, %d) after %d results", i, sq, len(got))
					}
					got = append(got, i)
					used.Add(1)
					if i == tc.cancelAt {
						cancel()
					}
				})
			switch {
			case tc.cancelAt >= 0 && !errors.Is(err, context.Canceled):
				t.Errorf("err = %v, want context.Canceled", err)
			case tc.cancelAt < 0 && (err != nil || len(got) != tc.n):
				t.Errorf("err = %v, %d results, want %d", err, len(got), tc.n)
			}
			if d := ahead.Load(); d != 0 {
				t.Errorf("work ran %d indexes ahead of use, window %d", d, tc.window)
			}
		})
	}
}
