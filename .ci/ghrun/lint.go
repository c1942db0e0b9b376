package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// compositeAction is the part of an action.yml that lint-action checks.
type compositeAction struct {
	Runs struct {
		Using string  `yaml:"using"`
		Steps []*Step `yaml:"steps"`
	} `yaml:"runs"`
}

func lintActionCmd(ctx context.Context, files []string, stderr io.Writer) int {
	if len(files) == 0 {
		fmt.Fprintln(stderr, "usage: ghrun lint-action ACTION.yml…")
		return 2
	}
	if _, err := exec.LookPath("shellcheck"); err != nil {
		fmt.Fprintln(stderr, "ghrun: lint-action needs shellcheck on PATH")
		return 2
	}
	status := 0
	for _, f := range files {
		problems, err := lintAction(ctx, f)
		if err != nil {
			fmt.Fprintf(stderr, "ghrun: %s: %v\n", f, err)
			return 2
		}
		for _, p := range problems {
			fmt.Fprintf(stderr, "%s: %s\n", f, p)
			status = 1
		}
	}
	return status
}

// lintAction returns a composite action's problems: run: steps that
// shellcheck faults, hold ${{ }} or name no shell, and uses: not pinned by
// commit SHA.
func lintAction(ctx context.Context, path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var a compositeAction
	if err := yaml.Unmarshal(b, &a); err != nil {
		return nil, err
	}
	if a.Runs.Using != "composite" {
		return nil, fmt.Errorf("not a composite action (runs.using: %q)", a.Runs.Using)
	}
	tmp, err := os.MkdirTemp("", "ghrun-lint-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	var problems []string
	for i, s := range a.Runs.Steps {
		label := s.label(i)
		if s.Uses != "" {
			name, ref, _ := strings.Cut(s.Uses, "@")
			if !strings.HasPrefix(name, "./") && !pinnedRef.MatchString(ref) {
				problems = append(problems, fmt.Sprintf("%s: uses: %s is not pinned by a full commit SHA", label, s.Uses))
			}
			continue
		}
		if strings.Contains(s.Run, "${{") {
			problems = append(problems, fmt.Sprintf("%s: run: contains ${{ }}; pass values through env:", label))
			continue
		}
		if s.Shell != "bash" {
			problems = append(problems, fmt.Sprintf("%s: shell: %q; the action's steps run in bash on every OS", label, s.Shell))
			continue
		}
		script := filepath.Join(tmp, fmt.Sprintf("step%d.sh", i))
		if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
			return nil, err
		}
		var out bytes.Buffer
		cmd := exec.CommandContext(ctx, "shellcheck", "--norc", "--shell=bash", "--format=gcc", script)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			if _, ok := err.(*exec.ExitError); !ok {
				return nil, err
			}
			for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				problems = append(problems, fmt.Sprintf("%s: %s", label, strings.TrimPrefix(line, script+":")))
			}
		}
	}
	return problems, nil
}
