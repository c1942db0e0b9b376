package practices

import "testing"

// TestBuiltinFollowsSchema checks the embedded catalog against the catalog
// schema, the check Builtin leaves out at run time.
func TestBuiltinFollowsSchema(t *testing.T) {
	t.Parallel()
	if _, err := parse(builtinCatalog, "builtin catalog", true); err != nil {
		t.Fatal(err)
	}
	broken := append([]byte(nil), builtinCatalog...)
	broken = append(broken, []byte("\nunknown_top_level_key: 1\n")...)
	if _, err := parse(broken, "broken", true); err == nil {
		t.Fatal("a catalog with an unknown key passed the schema check")
	}
}
