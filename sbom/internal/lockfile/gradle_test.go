package lockfile

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestGradleLockfileMalformed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		data string
		line int
	}{
		{"# comment\na:b:1=runtimeClasspath\norg.assertj:as", 3}, // truncated
		{"a:b:1=runtimeClasspath\na:b=runtimeClasspath\n", 2},
		{"a:b:1\n", 1},
		{"a::1=runtimeClasspath\n", 1},
		{"a:b:1=\n", 1},
	} {
		_, err := readGradleLockfile([]byte(tc.data), "gradle.lockfile")
		var ferr *FileError
		if !errors.As(err, &ferr) || ferr.Line != tc.line || ferr.Path != "gradle.lockfile" {
			t.Errorf("%q: err = %v, want a FileError at gradle.lockfile:%d", tc.data, err, tc.line)
		}
	}
}

func FuzzReadGradleLockfile(f *testing.F) {
	addSeedFiles(f, filepath.Join(testdata, "gradle", "gradle.lockfile"))
	f.Fuzz(func(t *testing.T, data []byte) {
		comps, err := readGradleLockfile(data, "gradle.lockfile")
		for _, c := range comps {
			if err == nil && (c.PURL == "" || c.Version == "") {
				t.Fatalf("component without purl or version: %+v", c)
			}
		}
	})
}
