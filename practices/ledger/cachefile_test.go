package ledger

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

func testIndex() *index {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return &index{Head: plumbing.NewHash("0123456789abcdef0123456789abcdef01234567"), Records: []Summary{
		{ID: "a1b2c3d4e5f6a7b8c9d0e1f2", Time: t0, Actor: "ci", Product: "app", Version: "1.0.0", Kind: "sbom",
			Requirements: []string{"SM-9", "SM-6"}, Summary: "SBOM of app"},
		{ID: "ffeeddccbbaa998877665544", Time: t0.Add(time.Hour).In(time.FixedZone("", 5400)), Actor: "Bob <bob@example.com>",
			Product: "app", Kind: "review", Requirements: []string{"SR-2"}},
		{ID: "000000000000000000000000"},
	}}
}

func testVerifyCache() *verifyCache {
	return &verifyCache{Key: "v1:abc", Head: plumbing.NewHash("89abcdef0123456789abcdef0123456789abcdef"), Commits: 7, Records: 4,
		EvidenceFiles: 4, EvidenceBytes: 5 << 30, Checkpoints: 2, SignedCommits: 7, LastSeq: 2, LastCP: "sha256:00ff",
		CPFiles: map[int]string{1: "sha256:11", 2: "sha256:00ff"}, Verified: []string{"checkpoint 1 signed by key"}}
}

// withChecksum returns body with the CRC-32C a cache file ends with.
func withChecksum(body []byte) []byte {
	return binary.LittleEndian.AppendUint32(bytes.Clone(body), crc32.Checksum(body, castagnoli()))
}

// The cache files read back what was written; anything else, a file cut
// short, a byte changed, another version or kind, the gob of version 1,
// reads as no cache.
func TestCacheFiles(t *testing.T) {
	t.Parallel()
	idx, vc := testIndex(), testVerifyCache()
	for _, tc := range []struct {
		name         string
		file         []byte
		magic, other string
		decode       func([]byte) any
		want         any
	}{
		{"index", idx.encode(), indexMagic, verifyCacheMagic, func(b []byte) any { return decodeIndex(b) }, idx},
		{"empty index", (&index{}).encode(), indexMagic, verifyCacheMagic, func(b []byte) any { return decodeIndex(b) }, &index{Records: []Summary{}}},
		{"verification", vc.encode(), verifyCacheMagic, indexMagic, func(b []byte) any { return decodeVerifyCache(b) }, vc},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if d := cmp.Diff(tc.want, tc.decode(tc.file), cmp.AllowUnexported(index{})); d != "" {
				t.Fatalf("read back (-want +got):\n%s", d)
			}
			bad := map[string][]byte{
				"gob":         []byte("\x1c\xff\x81\x03\x01\x01\x05index\x01\xff\x82\x00\x01\x03\x01\x07Version\x01\x04\x00"),
				"empty":       nil,
				"version 3":   withChecksum(append([]byte(tc.magic+"\x03"), tc.file[len(tc.magic)+1:len(tc.file)-4]...)),
				"other kind":  withChecksum(append([]byte(tc.other), tc.file[len(tc.magic):len(tc.file)-4]...)),
				"extra field": withChecksum(append(bytes.Clone(tc.file[:len(tc.file)-4]), 0)),
			}
			for n := range len(tc.file) {
				bad["cut"] = tc.file[:n]
				flipped := bytes.Clone(tc.file)
				flipped[n] ^= 0x10
				bad["flipped"] = flipped
				if n < len(tc.file)-4 {
					bad["cut, checksum fixed"] = withChecksum(tc.file[:n])
				}
				for what, file := range bad {
					if got := tc.decode(file); !isNil(got) {
						t.Fatalf("%s (byte %d): read as %+v", what, n, got)
					}
				}
			}
		})
	}
}

func isNil(v any) bool {
	switch v := v.(type) {
	case *index:
		return v == nil
	case *verifyCache:
		return v == nil
	}
	return v == nil
}

// FuzzDecodeCaches reads arbitrary bytes as both cache files, as they
// are and with the checksum they need. Decoding may not panic, and what
// it accepts writes back to what reads back the same.
func FuzzDecodeCaches(f *testing.F) {
	for _, file := range [][]byte{testIndex().encode(), testVerifyCache().encode(), (&index{}).encode()} {
		f.Add(file[:len(file)-4])
	}
	f.Add([]byte(indexMagic + "\x02"))
	f.Add([]byte(verifyCacheMagic + "\x02\xff\xff\xff\xff\x0f"))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, file := range [][]byte{body, withChecksum(body)} {
			if idx := decodeIndex(file); idx != nil {
				if d := cmp.Diff(idx, decodeIndex(idx.encode()), cmp.AllowUnexported(index{})); d != "" {
					t.Fatalf("index read back (-first +second):\n%s", d)
				}
			}
			if c := decodeVerifyCache(file); c != nil {
				if d := cmp.Diff(c, decodeVerifyCache(c.encode())); d != "" {
					t.Fatalf("verification read back (-first +second):\n%s", d)
				}
			}
		}
	})
}
