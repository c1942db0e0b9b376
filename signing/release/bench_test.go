package release

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkVerify measures the hashing path: Verify of 64 files of 1 MiB
// (b.SetBytes makes 'go test -bench' report MB/s).
func BenchmarkVerify(b *testing.B) {
	dir := b.TempDir()
	data := make([]byte, 1<<20)
	for i := range 64 {
		if _, err := rand.Read(data); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d.bin", i)), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	m, err := Build(ctx, dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, 0} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(64 << 20)
			for b.Loop() {
				if _, err := Verify(ctx, dir, m, Options{Workers: workers}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDigests is the ceiling for BenchmarkVerify: SHA-256 and SHA-512
// over a buffer in memory, one core, no file system. BenchmarkVerify with
// one worker close to this figure means that verification is bound by
// hashing.
func BenchmarkDigests(b *testing.B) {
	buf := make([]byte, bufSize)
	h256, h512 := sha256.New(), sha512.New()
	b.SetBytes(bufSize)
	for b.Loop() {
		h256.Write(buf)
		h512.Write(buf)
	}
}
