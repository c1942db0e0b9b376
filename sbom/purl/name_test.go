package purl

import (
	"errors"
	"testing"
)

func TestCheckName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ecosystem, name string
		ok              bool
	}{
		{"Go", "github.com/BurntSushi/toml", true},
		{"Go", "stdlib", true},
		{"Go", "gopkg.in/yaml.v3", true},
		{"Go", "example.com/../../../etc", false},
		{"Go", "example.com/a\x00b", false},
		{"npm", "lodash", true},
		{"npm", "@types/node", true},
		{"npm", "JSONStream", true},
		{"npm", "../../../../etc/passwd", false},
		{"npm", "@scope/a/b", false},
		{"npm", ".hidden", false},
		{"PyPI", "Flask_SQLAlchemy", true},
		{"PyPI", "zope.interface", true},
		{"PyPI", "a/b", false},
		{"PyPI", "-leading", false},
		{"crates.io", "derive_arbitrary", true},
		{"crates.io", "serde.json", false},
		{"Maven", "org.apache.logging.log4j:log4j-core", true},
		{"Maven", "log4j-core", false},
		{"Maven", "org/../x:y", false},
		{"NuGet", "Newtonsoft.Json", true},
		{"NuGet", "a b", false},
		{"RubyGems", "RedCloth", true},
		{"RubyGems", "rails/../x", false},
		{"Packagist", "laravel/framework", true},
		{"Packagist", "Laravel/Framework", true},
		{"Packagist", "framework", false},
		{"Debian", "libssl3", true},
		{"Debian", "/etc/passwd", false},
		{"", "C:\\Windows", false},
		{"", "name\x1b[31m", false},
		{"", "", false},
	}
	for _, tt := range tests {
		err := CheckName(tt.ecosystem, tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("CheckName(%q, %q) = %v, want ok %v", tt.ecosystem, tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidName) {
			t.Errorf("CheckName(%q, %q) = %v, not ErrInvalidName", tt.ecosystem, tt.name, err)
		}
	}
}
