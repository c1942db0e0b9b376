package release_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sdlkit/sdlkit/signing/release"
)

// A supplier lists a release directory in a manifest (and signs its bytes
// with package signing); a customer checks the directory against it.
func Example() {
	dir, _ := os.MkdirTemp("", "release")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "fw.bin"), []byte("firmware 1.2.0\n"), 0o644)
	ctx := context.Background()

	m, err := release.Build(ctx, dir, release.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	data, _ := m.Marshal() // the bytes to sign and ship as sdlkit-release.json
	fmt.Println(m.Files[0].Path, m.Files[0].Size, m.Files[0].Digest.SHA256[:16])

	shipped, err := release.Parse(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	os.WriteFile(filepath.Join(dir, "fw.bin"), []byte("firmware 6.6.6\n"), 0o644)
	_, err = release.Verify(ctx, dir, shipped, release.Options{})
	fmt.Println(errors.Is(err, release.ErrMismatch))
	// Output:
	// fw.bin 15 d55efc69bbcfe6c2
	// true
}
