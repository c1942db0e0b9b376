package cyclonedx

import (
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"
)

func TestToCDXLicenses(t *testing.T) {
	t.Parallel()
	id := func(s string) cdx.LicenseChoice { return cdx.LicenseChoice{License: &cdx.License{ID: s}} }
	name := func(s string) cdx.LicenseChoice { return cdx.LicenseChoice{License: &cdx.License{Name: s}} }
	expr := func(s string) cdx.LicenseChoice { return cdx.LicenseChoice{Expression: s} }
	tests := []struct {
		in   []string
		want cdx.Licenses
	}{
		{[]string{"MIT"}, cdx.Licenses{id("MIT")}},
		{[]string{"mit"}, cdx.Licenses{id("MIT")}},
		{[]string{"MIT", "Apache-2.0"}, cdx.Licenses{id("MIT"), id("Apache-2.0")}},
		{[]string{"MIT", "Custom License"}, cdx.Licenses{id("MIT"), name("Custom License")}},
		{[]string{"MIT OR Apache-2.0"}, cdx.Licenses{expr("MIT OR Apache-2.0")}},
		{[]string{"(mit OR apache-2.0) AND bsd-3-clause"}, cdx.Licenses{expr("(MIT OR Apache-2.0) AND BSD-3-Clause")}},
		{[]string{"GPL-2.0-only WITH Classpath-exception-2.0"}, cdx.Licenses{expr("GPL-2.0-only WITH Classpath-exception-2.0")}},
		{[]string{"Apache-2.0+"}, cdx.Licenses{expr("Apache-2.0+")}},
		{[]string{"LicenseRef-Proprietary"}, cdx.Licenses{expr("LicenseRef-Proprietary")}},
		// Not on the SPDX list, or not an expression: names.
		{[]string{"MIT OR Nonsense-1.0"}, cdx.Licenses{name("MIT OR Nonsense-1.0")}},
		{[]string{"(MIT OR Apache-2.0"}, cdx.Licenses{name("(MIT OR Apache-2.0")}},
		{[]string{"Apache License, Version 2.0"}, cdx.Licenses{name("Apache License, Version 2.0")}},
		// An expression among several licenses: CycloneDX does not mix them.
		{[]string{"MIT OR Apache-2.0", "BSD-3-Clause"}, cdx.Licenses{name("MIT OR Apache-2.0"), id("BSD-3-Clause")}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(&tt.want, toCDXLicenses(tt.in)); diff != "" {
			t.Errorf("toCDXLicenses(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	if toCDXLicenses(nil) != nil {
		t.Error("toCDXLicenses(nil) is not nil")
	}
}
