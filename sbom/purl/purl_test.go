package purl

import (
	"testing"
)

// TestParseKeepsCase checks that names come back as written, where
// packageurl-go's parser lowercases them.
func TestParseKeepsCase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		purl, namespace, name, version string
	}{
		{"pkg:golang/github.com/BurntSushi/toml@v1.6.0", "github.com/BurntSushi", "toml", "v1.6.0"},
		{"pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.24.0", "github.com/Azure/azure-sdk-for-go/sdk", "azcore", "v1.24.0"},
		{"pkg:pypi/Flask_SQLAlchemy@3.1.1", "", "Flask_SQLAlchemy", "3.1.1"},
		{"pkg:npm/%40Types/Node@20.1.0", "@Types", "Node", "20.1.0"},
		{"pkg:maven/org.Apache.logging/Log4j-Core@2.17.1", "org.Apache.logging", "Log4j-Core", "2.17.1"},
		{"pkg:nuget/Newtonsoft.Json@13.0.3", "", "Newtonsoft.Json", "13.0.3"},
		{"pkg:composer/Laravel/Framework@7.12.0", "Laravel", "Framework", "7.12.0"},
		{"pkg:gem/RedCloth@4.3.2", "", "RedCloth", "4.3.2"},
		{"pkg:cargo/Inflector@0.11.4", "", "Inflector", "0.11.4"},
		{"pkg:golang/github.com/BurntSushi/toml", "github.com/BurntSushi", "toml", ""},
		{"pkg:golang/k8s.io/minikube@v1.23.1?type=module#cmd/minikube", "k8s.io", "minikube", "v1.23.1"},
	}
	for _, tt := range tests {
		p, err := Parse(tt.purl)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.purl, err)
			continue
		}
		if p.Namespace != tt.namespace || p.Name != tt.name || p.Version != tt.version {
			t.Errorf("Parse(%q) = %q %q %q, want %q %q %q", tt.purl, p.Namespace, p.Name, p.Version, tt.namespace, tt.name, tt.version)
		}
	}
	if _, err := Parse("not a purl"); err == nil {
		t.Error("Parse accepted a string that is no purl")
	}
}

// TestNameVersionEveryEcosystem builds a purl of a mixed-case name in every
// ecosystem and reads the name back unchanged.
func TestNameVersionEveryEcosystem(t *testing.T) {
	t.Parallel()
	tests := []struct{ ecosystem, name, purl string }{
		{"Go", "github.com/BurntSushi/toml", "pkg:golang/github.com/BurntSushi/toml@1"},
		{"npm", "@Angular/Core", "pkg:npm/%40Angular/Core@1"},
		{"PyPI", "Flask_SQLAlchemy", "pkg:pypi/flask-sqlalchemy@1"},
		{"crates.io", "Inflector", "pkg:cargo/Inflector@1"},
		{"Maven", "org.Apache:Log4j", "pkg:maven/org.Apache/Log4j@1"},
		{"NuGet", "Newtonsoft.Json", "pkg:nuget/Newtonsoft.Json@1"},
		{"RubyGems", "RedCloth", "pkg:gem/RedCloth@1"},
		{"Packagist", "Laravel/Framework", "pkg:composer/Laravel/Framework@1"},
		{"Pub", "Flutter_Bloc", "pkg:pub/Flutter_Bloc@1"},
		{"Hex", "Phoenix", "pkg:hex/Phoenix@1"},
	}
	for _, tt := range tests {
		got := New(tt.ecosystem, tt.name, "1")
		if got != tt.purl {
			t.Errorf("New(%q, %q) = %q, want %q", tt.ecosystem, tt.name, got, tt.purl)
		}
		if e := Ecosystem(got); e != tt.ecosystem {
			t.Errorf("Ecosystem(%q) = %q, want %q", got, e, tt.ecosystem)
		}
		name, _, ok := NameVersion(got)
		// PyPI purls carry the normalised name (the purl spec's rule); the
		// component keeps the name as written through PreferName.
		if want := tt.name; !ok || PreferName(tt.name, name) != want {
			t.Errorf("NameVersion(%q) = %q; PreferName = %q, want %q", got, name, PreferName(tt.name, name), want)
		}
	}
	if New("no such ecosystem", "a", "1") != "" {
		t.Error("New made a purl for an unknown ecosystem")
	}
}

// TestIdentity checks one rule per ecosystem: folded where the ecosystem
// does not tell the names apart, kept where it does.
func TestIdentity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		same bool
	}{
		// PyPI: PEP 503 — case, and runs of "-", "_" and "." as one "-".
		{"pkg:pypi/Flask_SQLAlchemy@3.1.1", "pkg:pypi/flask-sqlalchemy@3.1.1", true},
		{"pkg:pypi/zope.interface@6.0", "pkg:pypi/zope-interface@6.0", true},
		{"pkg:pypi/a--_.b@1", "pkg:pypi/a-b@1", true},
		// Case-insensitive registries.
		{"pkg:nuget/Newtonsoft.Json@13.0.3", "pkg:nuget/newtonsoft.json@13.0.3", true},
		{"pkg:composer/Laravel/Framework@7.12.0", "pkg:composer/laravel/framework@7.12.0", true},
		{"pkg:pub/Flutter_Bloc@1", "pkg:pub/flutter_bloc@1", true},
		// Case-sensitive: Go module paths, npm, Maven, RubyGems, crates.io.
		{"pkg:golang/github.com/BurntSushi/toml@v1.6.0", "pkg:golang/github.com/burntsushi/toml@v1.6.0", false},
		{"pkg:npm/JSONStream@1.3.5", "pkg:npm/jsonstream@1.3.5", false},
		{"pkg:maven/org.Apache/Log4j@1", "pkg:maven/org.apache/log4j@1", false},
		{"pkg:gem/RedCloth@4.3.2", "pkg:gem/redcloth@4.3.2", false},
		{"pkg:cargo/derive_arbitrary@1.4.2", "pkg:cargo/derive-arbitrary@1.4.2", false},
		// Qualifiers: tools' own differ, artifact ones count.
		{"pkg:golang/k8s.io/minikube@v1.23.1?type=module", "pkg:golang/k8s.io/minikube@v1.23.1", true},
		{"pkg:rpm/centos/openssl-libs@1.0.2k?arch=x86_64&distro=centos-7", "pkg:rpm/centos/openssl-libs@1.0.2k?arch=x86_64", true},
		{"pkg:rpm/centos/openssl-libs@1.0.2k?arch=x86_64", "pkg:rpm/centos/openssl-libs@1.0.2k?arch=i686", false},
		{"pkg:maven/a/b@1?classifier=sources", "pkg:maven/a/b@1", false},
		{"pkg:maven/a/b@1?type=jar", "pkg:maven/a/b@1", true},
		// Versions count.
		{"pkg:npm/lodash@4.17.20", "pkg:npm/lodash@4.17.21", false},
	}
	for _, tt := range tests {
		a, errA := Identity(tt.a)
		b, errB := Identity(tt.b)
		if errA != nil || errB != nil {
			t.Errorf("Identity: %v, %v", errA, errB)
			continue
		}
		if (a == b) != tt.same {
			t.Errorf("Identity(%q) = %q, Identity(%q) = %q: same = %v, want %v", tt.a, a, tt.b, b, a == b, tt.same)
		}
	}
	x, _ := PackageIdentity("pkg:rpm/centos/openssl-libs@1.0.2k?arch=x86_64&epoch=1")
	y, _ := PackageIdentity("pkg:rpm/centos/openssl-libs@1.0.2k-19?arch=noarch")
	if x != y || x != "pkg:rpm/centos/openssl-libs" {
		t.Errorf("PackageIdentity = %q and %q, want both pkg:rpm/centos/openssl-libs", x, y)
	}
	if _, err := Identity("pkg:"); err == nil {
		t.Error("Identity accepted an invalid purl")
	}
}

func TestKey(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ eco, a, b string }{
		{"PyPI", "Flask_SQLAlchemy", "flask-sqlalchemy"},
		{"NuGet", "Newtonsoft.Json", "newtonsoft.json"},
	} {
		if Key(tt.eco, tt.a) != Key(tt.eco, tt.b) {
			t.Errorf("Key(%s, %q) != Key(%s, %q)", tt.eco, tt.a, tt.eco, tt.b)
		}
	}
	if Key("Go", "github.com/BurntSushi/toml") == Key("Go", "github.com/burntsushi/toml") {
		t.Error("Key folds Go module paths")
	}
}

func TestPreferName(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ doc, purl, want string }{
		{"Flask_SQLAlchemy", "flask-sqlalchemy", "Flask_SQLAlchemy"},
		{"github.com/BurntSushi/toml", "github.com/burntsushi/toml", "github.com/BurntSushi/toml"},
		{"", "lodash", "lodash"},
		{"Lodash (utility library)", "lodash", "lodash"},
	} {
		if got := PreferName(tt.doc, tt.purl); got != tt.want {
			t.Errorf("PreferName(%q, %q) = %q, want %q", tt.doc, tt.purl, got, tt.want)
		}
	}
}
