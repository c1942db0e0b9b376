package release

import (
	"context"
	"crypto/rand"
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
