package sbom

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cargoLockV1ForTest is a Cargo.lock version 1 written for this test in the
// shape Cargo 1.x wrote before 1.41: the crate itself without source, and
// the checksums in [metadata] (the values are crates.io's).
const cargoLockV1ForTest = `[[package]]
name = "bitflags"
version = "1.0.4"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "byteorder"
version = "1.2.6"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "mygit"
version = "0.1.0"
source = "git+https://example.com/mygit#0123456789abcdef0123456789abcdef01234567"

[[package]]
name = "tftp"
version = "0.1.0"
dependencies = [
 "bitflags 1.0.4 (registry+https://github.com/rust-lang/crates.io-index)",
 "byteorder 1.2.6 (registry+https://github.com/rust-lang/crates.io-index)",
 "mygit 0.1.0 (git+https://example.com/mygit#0123456789abcdef0123456789abcdef01234567)",
]

[metadata]
"checksum bitflags 1.0.4 (registry+https://github.com/rust-lang/crates.io-index)" = "228047a76f468627ca71776ecdebd732a3423081fcf5125585bcd7c49886ce12"
"checksum byteorder 1.2.6 (registry+https://github.com/rust-lang/crates.io-index)" = "90492c5858dd7d2e78691cfb89f90d273a2800fc11d98f60786e5d87e2f83781"
"checksum mygit 0.1.0 (git+https://example.com/mygit#0123456789abcdef0123456789abcdef01234567)" = "<none>"
`

func TestCargoLockV1Checksums(t *testing.T) {
	t.Parallel()
	info, err := readCargoExtra([]byte(cargoLockV1ForTest))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]Hash{
		"pkg:cargo/bitflags@1.0.4":  {{Algorithm: "SHA-256", Value: "228047a76f468627ca71776ecdebd732a3423081fcf5125585bcd7c49886ce12"}},
		"pkg:cargo/byteorder@1.2.6": {{Algorithm: "SHA-256", Value: "90492c5858dd7d2e78691cfb89f90d273a2800fc11d98f60786e5d87e2f83781"}},
	}
	if diff := cmp.Diff(want, info.hashes); diff != "" {
		t.Errorf("hashes (-want +got):\n%s", diff)
	}
}
