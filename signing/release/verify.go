package release

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrMismatch is wrapped by the error Verify returns when the directory does
// not match its manifest: the check ran and failed (unlike an unreadable
// file or manifest).
var ErrMismatch = errors.New("release does not match its manifest")

// ProblemKind says how a file differs from the manifest.
type ProblemKind string

// The ways a file can differ from the manifest.
const (
	// Modified: listed, present, and its size or a digest differs.
	Modified ProblemKind = "modified"
	// Missing: listed and not present.
	Missing ProblemKind = "missing"
	// Extra: present and not listed.
	Extra ProblemKind = "extra"
	// Unsupported: a symbolic link or another non-regular file, which is
	// never followed.
	Unsupported ProblemKind = "unsupported"
)

// Problem is one file that does not match the manifest.
type Problem struct {
	Path   string      `json:"path"`
	Kind   ProblemKind `json:"kind"`
	Detail string      `json:"detail,omitempty"`
}

// Report is the outcome of Verify.
type Report struct {
	// Matched and MatchedBytes count the files that matched and their total size.
	Matched      int   `json:"matched"`
	MatchedBytes int64 `json:"matchedBytes"`
	// Problems lists every difference, sorted by path.
	Problems []Problem `json:"problems"`
}

// MismatchError lists what differs; errors.Is(err, ErrMismatch) holds.
type MismatchError struct {
	Dir      string
	Problems []Problem
}

// Error sums the problems up in one line, naming the first few files of
// each kind.
func (e *MismatchError) Error() string {
	var parts []string
	for _, kind := range []ProblemKind{Modified, Missing, Extra, Unsupported} {
		var paths []string
		for _, p := range e.Problems {
			if p.Kind == kind {
				paths = append(paths, fmt.Sprintf("%q", p.Path))
			}
		}
		if len(paths) == 0 {
			continue
		}
		const show = 3
		total, more := len(paths), ""
		if total > show {
			more = fmt.Sprintf(" and %d more", total-show)
			paths = paths[:show]
		}
		parts = append(parts, fmt.Sprintf("%d %s (%s%s)", total, kind, strings.Join(paths, ", "), more))
	}
	return fmt.Sprintf("release %q does not match its manifest: %s", e.Dir, strings.Join(parts, "; "))
}

// Is makes errors.Is(err, ErrMismatch) true.
func (e *MismatchError) Is(target error) bool { return target == ErrMismatch }

// Verify checks dir against m: every regular file must be listed with its
// size and digests, every listed file must be present, and no symbolic link
// or other non-regular file may be there. Files are opened through an
// os.Root, so that nothing outside dir is read. It returns the report and,
// when anything differs, a *MismatchError; other errors (a file that cannot
// be read) mean that the check could not be done.
func Verify(ctx context.Context, dir string, m *Manifest, opts Options) (*Report, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	root, err := openDir(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	listed := make(map[string]File, len(m.Files))
	for _, f := range m.Files {
		listed[f.Path] = f
	}
	skip := excludedSet(dir, opts.Exclude)
	entries, err := walk(root, dir, func(p string) bool {
		_, ok := listed[p]
		return skip[p] && !ok
	})
	if err != nil {
		return nil, err
	}
	report := &Report{Problems: []Problem{}}
	toHash := compare(entries, listed, report)
	got := make([]File, len(toHash))
	for i, f := range toHash {
		got[i] = File{Path: f.Path}
	}
	err = hashAll(ctx, root, opts.Workers, opts.progress(toHash), len(got), func(i int) *File { return &got[i] })
	if err != nil {
		return nil, fmt.Errorf("read release %q: %w", dir, err)
	}
	for i, want := range toHash {
		report.add(want, got[i])
	}
	sort.Slice(report.Problems, func(i, j int) bool { return report.Problems[i].Path < report.Problems[j].Path })
	if len(report.Problems) > 0 {
		return report, &MismatchError{Dir: dir, Problems: report.Problems}
	}
	return report, nil
}

// compare records the problems visible without reading contents (missing,
// extra, non-regular files, wrong sizes) and returns the listed files whose
// contents must be hashed.
func compare(entries []entry, listed map[string]File, r *Report) []File {
	var toHash []File
	present := make(map[string]bool, len(entries))
	for _, e := range entries {
		present[e.path] = true
		want, ok := listed[e.path]
		switch {
		case !e.mode.IsRegular():
			r.Problems = append(r.Problems, Problem{Path: e.path, Kind: Unsupported, Detail: kindOf(e.mode) + ", not followed"})
		case !ok:
			r.Problems = append(r.Problems, Problem{Path: e.path, Kind: Extra, Detail: "not listed in the manifest"})
		case e.size != want.Size:
			r.Problems = append(r.Problems, Problem{Path: e.path, Kind: Modified, Detail: fmt.Sprintf("size %d, manifest says %d", e.size, want.Size)})
		default:
			toHash = append(toHash, want)
		}
	}
	for p := range listed {
		if !present[p] {
			r.Problems = append(r.Problems, Problem{Path: p, Kind: Missing, Detail: "listed in the manifest, not present"})
		}
	}
	return toHash
}

// add compares one hashed file with its entry.
func (r *Report) add(want, got File) {
	switch {
	case got.Size != want.Size:
		r.Problems = append(r.Problems, Problem{Path: want.Path, Kind: Modified, Detail: fmt.Sprintf("size %d, manifest says %d", got.Size, want.Size)})
	case got.Digest.SHA256 != want.Digest.SHA256:
		r.Problems = append(r.Problems, Problem{Path: want.Path, Kind: Modified, Detail: "sha256 " + got.Digest.SHA256 + ", manifest says " + want.Digest.SHA256})
	case got.Digest.SHA512 != want.Digest.SHA512:
		r.Problems = append(r.Problems, Problem{Path: want.Path, Kind: Modified, Detail: "sha512 differs from the manifest"})
	default:
		r.Matched++
		r.MatchedBytes += got.Size
	}
}
