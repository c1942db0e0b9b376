package policies

import (
	"embed"
	"fmt"
	"path"
	"slices"
	"strings"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Names lists the built-in policies.
func Names() []string {
	entries, _ := builtinFS.ReadDir("builtin")
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".test.yaml") {
			names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	slices.Sort(names)
	return names
}

// Builtin loads a built-in policy by name.
func Builtin(name string) (*Policy, error) {
	data, err := builtinFS.ReadFile(path.Join("builtin", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("no built-in policy %q (built in: %s)", name, strings.Join(Names(), ", "))
	}
	return Parse(data, "builtin:"+name)
}

// BuiltinSource returns a built-in policy's file, to print or copy.
func BuiltinSource(name string) ([]byte, error) {
	data, err := builtinFS.ReadFile(path.Join("builtin", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("no built-in policy %q (built in: %s)", name, strings.Join(Names(), ", "))
	}
	return data, nil
}

// BuiltinTests returns a built-in policy's test file.
func BuiltinTests(name string) ([]byte, error) {
	return builtinFS.ReadFile(path.Join("builtin", name+".test.yaml"))
}
