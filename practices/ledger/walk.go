package ledger

import (
	"context"
	"sync"
)

// orderedMap calls work(i) for each i in [0, n) on workers goroutines, at
// most window indexes ahead of use, and use(i, work(i)) for each i in
// order on the calling goroutine: work is the part of a job that needs
// nothing of the jobs before it, use the part that does. It returns ctx's
// error when ctx is done, after every work call it started has returned.
func orderedMap[T any](ctx context.Context, n, workers, window int, work func(i int) T, use func(i int, t T)) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	// A result waits in the slot of its index modulo window; at most
	// window indexes are taken and not yet used, so a slot is always free
	// when its next result comes.
	slots := make([]chan T, window)
	for i := range slots {
		slots[i] = make(chan T, 1)
	}
	taken := make(chan struct{}, window)
	next := make(chan int)
	wg.Go(func() {
		defer close(next)
		for i := range n {
			select {
			case taken <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	})
	for range workers {
		wg.Go(func() {
			for i := range next {
				slots[i%window] <- work(i)
			}
		})
	}
	for i := range n {
		select {
		case t := <-slots[i%window]:
			use(i, t)
			<-taken
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return ctx.Err()
}
