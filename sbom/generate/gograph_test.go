package generate

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDefaultGoModuleCache(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"GOMODCACHE": "/c", "GOPATH": "/p", "HOME": "/h"}, "/c"},
		{map[string]string{"GOPATH": "/p" + string(os.PathListSeparator) + "/q", "HOME": "/h"}, filepath.Join("/p", "pkg", "mod")},
		{map[string]string{"HOME": "/h"}, filepath.Join("/h", "go", "pkg", "mod")},
		{map[string]string{}, ""},
	}
	for _, tt := range tests {
		if got := DefaultGoModuleCache(func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("DefaultGoModuleCache(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}
