package signing

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkVerifyKeyBundles measures reading and verifying 1,000
// key-signed bundles (JSON parse, sigstore-go verification against the
// artifact digest). One op is all 1,000; the target is under 2 s.
func BenchmarkVerifyKeyBundles(b *testing.B) {
	const n = 1000
	s, _ := testSigner(b)
	pol := Policy{PublicKey: s.PublicKey()}
	digests := make([]Digest, n)
	bundles := make([][]byte, n)
	for i := range n {
		digests[i] = DigestBytes(fmt.Appendf(nil, "artifact %d", i))
		bd, err := s.SignDigest(context.Background(), digests[i], SignOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if bundles[i], err = bd.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		for i := range n {
			bd, err := ReadBundle("bench", bundles[i])
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Verify(bd, digests[i], pol); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/1000-bundles")
}
