package purl

import "testing"

func TestGoStdlibVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"go1.27.0", "1.27.0"},
		{"1.27.0", "1.27.0"},
		{"1.22", "1.22.0"},
		{"go1.20", "1.20.0"},
		{"go1.21rc2", "1.21.0-rc.2"},
		{"go1.9beta1", "1.9.0-beta.1"},
		{"go1.21.0", "1.21.0"},
		{"devel go1.23-abc", "devel go1.23-abc"},
		{"", ""},
	} {
		if got := GoStdlibVersion(tc.in); got != tc.want {
			t.Errorf("GoStdlibVersion(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
