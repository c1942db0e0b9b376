package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the meter's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestMeterRendersAndClears(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	m := Start(&out, true, "hashing")
	m.SetTotal(4 << 20)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { m.Add(512 << 10) })
	}
	wg.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "2.0 MiB of 4.0 MiB (50%)") {
		if time.Now().After(deadline) {
			t.Fatalf("meter wrote %q, want 2.0 MiB of 4.0 MiB (50%%)", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	m.Stop()
	if !strings.HasSuffix(out.String(), "\r\033[K") {
		t.Errorf("meter did not clear its line: %q", out.String())
	}
}

func TestDisabledMeterIsSilent(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	m := Start(&out, false, "hashing")
	m.SetTotal(10)
	m.Add(5)
	m.Stop()
	if out.String() != "" {
		t.Errorf("disabled meter wrote %q", out.String())
	}
}

func TestBytes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		n    int64
		want string
	}{{0, "0 B"}, {1023, "1023 B"}, {1536, "1.5 KiB"}, {1 << 30, "1.0 GiB"}, {5 << 40, "5.0 TiB"}} {
		if got := Bytes(tt.n); got != tt.want {
			t.Errorf("Bytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
