package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
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

// namedPath is a file a command reads or writes, with what it is, for
// messages: {"key", "release.key"}.
type namedPath struct {
	kind string
	path string
}

// checkOutputs refuses outputs that would replace an input, or each other:
// 'sign fw.bin --bundle fw.bin' must not replace the artifact with its
// bundle. Paths are compared as files (atomicfile.SamePath), so that a
// symbolic link or another spelling of an input is caught too. "-"
// (stdout) is no file.
func checkOutputs(outputs, inputs []namedPath) error {
	for i, out := range outputs {
		if out.path == "-" {
			continue
		}
		for _, in := range inputs {
			if atomicfile.SamePath(out.path, in.path) {
				return inputError(fmt.Errorf("write %s %q: it would replace the %s %q", out.kind, out.path, in.kind, in.path),
					"write the "+out.kind+" to another path")
			}
		}
		for _, other := range outputs[:i] {
			if other.path != "-" && atomicfile.SamePath(out.path, other.path) {
				return inputError(fmt.Errorf("write %s %q: it is also where the %s goes", out.kind, out.path, other.kind))
			}
		}
	}
	return nil
}

// createOutputs starts writing every output (atomicfile.Create), so that a
// missing or read-only directory fails before any work is done; the
// pending file of a "-" output (stdout) is nil. On error nothing is left;
// otherwise the caller commits (commitOutputs) or aborts them all.
func createOutputs(outputs []namedPath, opts atomicfile.Options) ([]*atomicfile.Pending, error) {
	files := make([]*atomicfile.Pending, len(outputs))
	for i, out := range outputs {
		if out.path == "-" {
			continue
		}
		o := opts
		o.Kind = out.kind
		p, err := atomicfile.Create(out.path, o)
		if err != nil {
			abortOutputs(files)
			if errors.Is(err, atomicfile.ErrExists) {
				return nil, inputError(err, "choose another path, or move the old file away")
			}
			return nil, inputError(err)
		}
		files[i] = p
	}
	return files, nil
}

// commitOutputs puts every pending file in place (atomicfile.Commit).
func commitOutputs(files []*atomicfile.Pending) error {
	var real []*atomicfile.Pending
	for _, p := range files {
		if p != nil {
			real = append(real, p)
		}
	}
	if err := atomicfile.Commit(real...); err != nil {
		return inputError(err)
	}
	return nil
}

// abortOutputs removes what createOutputs started; after a commit it does
// nothing.
func abortOutputs(files []*atomicfile.Pending) {
	for _, p := range files {
		p.Abort()
	}
}
