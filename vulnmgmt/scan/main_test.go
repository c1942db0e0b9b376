package scan_test

import (
	"os"
	"testing"
)

// testExecutable is the running test binary: a Go binary with build
// information.
func testExecutable(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}
