package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrNoMatch marks an artifact pattern that matches no file.
var ErrNoMatch = errors.New("matches no file")

// Path resolves p against the project file's directory; an absolute path,
// or any path of a config with no file, is returned as is.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || c.Dir == "" {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// Where names the place a pattern was given: "sdlkit.yaml:7" or "--artifact".
func (p Pattern) Where(file string) string {
	if p.Line == 0 || file == "" {
		return "--artifact"
	}
	return file + ":" + strconv.Itoa(p.Line)
}

// MatchArtifacts expands the artifact patterns into the regular files they
// match, sorted and without duplicates. Patterns from the file are
// relative to it; patterns given as flags (Line 0) to the working directory. A pattern that matches nothing, or
// matches only directories, is an error naming its place: a release whose
// build put its files elsewhere must not pass with no artifacts.
func (c *Config) MatchArtifacts() ([]string, error) {
	var files []string
	for _, p := range c.Artifacts {
		glob := p.Glob
		if p.Line > 0 {
			glob = c.Path(glob) // written in the file: relative to it
		}
		matches, err := filepath.Glob(glob)
		if err != nil {
			return nil, fmt.Errorf("%s: artifacts: pattern %q: %w", p.Where(c.File), p.Glob, err)
		}
		n := 0
		for _, m := range matches {
			fi, err := os.Stat(m)
			if err != nil || fi.IsDir() {
				continue
			}
			if !fi.Mode().IsRegular() {
				return nil, fmt.Errorf("%s: artifacts: %q is not a regular file", p.Where(c.File), m)
			}
			files = append(files, m)
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("%s: artifacts: pattern %q %w", p.Where(c.File), p.Glob, ErrNoMatch)
		}
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}

// ParseAge reads a duration that may count days: 7d, 36h, 90m.
func ParseAge(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return 0, errors.New("not a number of days")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.New("not a positive duration such as 7d or 36h")
	}
	return d, nil
}
