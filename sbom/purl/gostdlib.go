package purl

import (
	"strings"
)

// goRelease is a Go toolchain version as the go command spells it: 1.21,
// 1.21.3, 1.21rc2, 1.9beta1, with or without the "go" prefix.
var goRelease = lazyRegexp(`^(?:go)?(1)\.([0-9]+)(?:\.([0-9]+))?(?:(rc|beta|alpha)([0-9]+))?$`)

// GoStdlibVersion spells a Go toolchain version ("go1.21rc2", "1.22") as
// OSV's Go vulnerability database names the versions of its stdlib and
// toolchain packages: semantic versions without "v" ("1.21.0-rc.2",
// "1.22.0"), so that ranges order them. What is no Go release comes back
// unchanged.
func GoStdlibVersion(v string) string {
	m := goRelease().FindStringSubmatch(v)
	if m == nil {
		return strings.TrimPrefix(v, "go")
	}
	patch := m[3]
	if patch == "" {
		patch = "0"
	}
	out := m[1] + "." + m[2] + "." + patch
	if m[4] != "" {
		out += "-" + m[4] + "." + m[5]
	}
	return out
}
