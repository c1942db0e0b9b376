// Package progress shows how far long work has come, as one line on stderr
// that rewrites itself, for people at a terminal. It is silent everywhere
// else (pipes, files, CI logs), so that logs stay clean.
package progress

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Meter counts bytes done out of a total and renders them periodically. A
// nil *Meter is valid and does nothing, so callers need no checks.
type Meter struct {
	w     io.Writer
	label string
	// unit names what is counted ("records"); "" counts bytes.
	unit  string
	total atomic.Int64
	done  atomic.Int64
	stop  chan struct{}
	wg    sync.WaitGroup
}

// interval is how often the line is redrawn.
const interval = 200 * time.Millisecond

// Start returns a running meter writing to w, or nil when enabled is false.
func Start(w io.Writer, enabled bool, label string) *Meter {
	if !enabled {
		return nil
	}
	m := &Meter{w: w, label: label, stop: make(chan struct{})}
	m.wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				m.render()
			case <-m.stop:
				return
			}
		}
	})
	return m
}

// StartCount is Start for a meter that counts things named unit
// ("records") rather than bytes.
func StartCount(w io.Writer, enabled bool, label, unit string) *Meter {
	m := Start(w, enabled, label)
	if m != nil {
		m.unit = unit
	}
	return m
}

// Set records that n are done. It is safe for concurrent use.
func (m *Meter) Set(n int64) {
	if m != nil {
		m.done.Store(n)
	}
}

// SetTotal sets the number of bytes the work will take.
func (m *Meter) SetTotal(n int64) {
	if m != nil {
		m.total.Store(n)
	}
}

// Add records n more bytes done. It is safe for concurrent use.
func (m *Meter) Add(n int) {
	if m != nil {
		m.done.Add(int64(n))
	}
}

// Stop ends the meter and clears its line.
func (m *Meter) Stop() {
	if m == nil {
		return
	}
	close(m.stop)
	m.wg.Wait()
	fmt.Fprint(m.w, "\r\033[K")
}

func (m *Meter) render() {
	done, total := m.done.Load(), m.total.Load()
	if m.unit != "" {
		fmt.Fprintf(m.w, "\r\033[Ksdlkit: %s: %d %s", m.label, done, m.unit)
		return
	}
	if total > 0 {
		fmt.Fprintf(m.w, "\r\033[Ksdlkit: %s %s of %s (%d%%)", m.label, Bytes(done), Bytes(total), done*100/total)
		return
	}
	fmt.Fprintf(m.w, "\r\033[Ksdlkit: %s %s", m.label, Bytes(done))
}

// Bytes renders a byte count for people: 512 B, 1.5 MiB, 2.0 GiB.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
