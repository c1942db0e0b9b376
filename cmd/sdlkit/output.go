package main

import (
	"encoding/json"
	"io"
	"slices"
	"strings"
)

// checkFormat rejects a --format value that the command does not render.
func checkFormat(format string, allowed ...string) error {
	if slices.Contains(allowed, format) {
		return nil
	}
	return usageErrorf("unknown --format %q: use one of %s", format, strings.Join(allowed, ", "))
}

// writeJSON writes v as indented JSON with a final newline: the stable,
// machine-readable form of every result.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
