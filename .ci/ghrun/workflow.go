package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Workflow is the part of a GitHub Actions workflow file that ghrun runs: a
// reusable workflow (on: workflow_call) with its inputs, secrets and
// outputs, and its jobs in the order the file lists them.
type Workflow struct {
	Name        string            `yaml:"name"`
	On          yaml.Node         `yaml:"on"`
	Permissions yaml.Node         `yaml:"permissions"`
	Env         map[string]string `yaml:"env"`
	Defaults    Defaults          `yaml:"defaults"`
	Jobs        yaml.Node         `yaml:"jobs"`

	call    WorkflowCall
	jobList []*Job
}

// WorkflowCall is on.workflow_call.
type WorkflowCall struct {
	Inputs  map[string]Input  `yaml:"inputs"`
	Secrets map[string]Secret `yaml:"secrets"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
}

// Input is a workflow_call input.
type Input struct {
	Description string    `yaml:"description"`
	Type        string    `yaml:"type"`
	Required    bool      `yaml:"required"`
	Default     yaml.Node `yaml:"default"`
}

// Secret is a workflow_call secret.
type Secret struct {
	Description string `yaml:"description"`
	Required    bool   `yaml:"required"`
}

// Defaults is defaults: at the workflow or job level.
type Defaults struct {
	Run struct {
		Shell            string `yaml:"shell"`
		WorkingDirectory string `yaml:"working-directory"`
	} `yaml:"run"`
}

// Job is one job.
type Job struct {
	ID              string
	Name            string            `yaml:"name"`
	If              string            `yaml:"if"`
	Needs           stringList        `yaml:"needs"`
	RunsOn          yaml.Node         `yaml:"runs-on"`
	Permissions     yaml.Node         `yaml:"permissions"`
	Env             map[string]string `yaml:"env"`
	Defaults        Defaults          `yaml:"defaults"`
	Outputs         map[string]string `yaml:"outputs"`
	Steps           []*Step           `yaml:"steps"`
	TimeoutMinutes  float64           `yaml:"timeout-minutes"`
	ContinueOnError string            `yaml:"continue-on-error"`
	Uses            string            `yaml:"uses"`
	Strategy        yaml.Node         `yaml:"strategy"`
	Services        yaml.Node         `yaml:"services"`
	Container       yaml.Node         `yaml:"container"`
}

// Step is one step of a job.
type Step struct {
	ID               string            `yaml:"id"`
	Name             string            `yaml:"name"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	With             map[string]string `yaml:"with"`
	Env              map[string]string `yaml:"env"`
	WorkingDirectory string            `yaml:"working-directory"`
	ContinueOnError  string            `yaml:"continue-on-error"`
	TimeoutMinutes   float64           `yaml:"timeout-minutes"`
}

// label names a step in messages.
func (s *Step) label(i int) string {
	switch {
	case s.Name != "":
		return s.Name
	case s.ID != "":
		return s.ID
	case s.Uses != "":
		return s.Uses
	}
	first, _, _ := strings.Cut(strings.TrimSpace(s.Run), "\n")
	return fmt.Sprintf("step %d: %s", i+1, first)
}

// stringList is a YAML string or list of strings.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = []string{n.Value}
		return nil
	}
	var s []string
	err := n.Decode(&s)
	*l = s
	return err
}

func parseWorkflow(b []byte) (*Workflow, error) {
	var w Workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		return nil, err
	}
	if err := w.parseOn(); err != nil {
		return nil, err
	}
	if w.Permissions.Kind == 0 {
		return nil, errors.New("no top-level permissions: (least privilege: permissions: {} and each job its own)")
	}
	if w.Jobs.Kind != yaml.MappingNode {
		return nil, errors.New("no jobs")
	}
	for i := 0; i+1 < len(w.Jobs.Content); i += 2 {
		j := &Job{ID: w.Jobs.Content[i].Value}
		if err := w.Jobs.Content[i+1].Decode(j); err != nil {
			return nil, fmt.Errorf("job %s: %w", j.ID, err)
		}
		if err := j.check(); err != nil {
			return nil, fmt.Errorf("job %s: %w", j.ID, err)
		}
		w.jobList = append(w.jobList, j)
	}
	return &w, w.checkNeeds()
}

func (w *Workflow) parseOn() error {
	if w.On.Kind != yaml.MappingNode {
		return errors.New("on: is not a mapping with workflow_call")
	}
	for i := 0; i+1 < len(w.On.Content); i += 2 {
		if w.On.Content[i].Value == "workflow_call" {
			return w.On.Content[i+1].Decode(&w.call)
		}
	}
	return errors.New("not a reusable workflow (no on: workflow_call)")
}

// check rejects what ghrun cannot run faithfully, so that nothing is
// silently skipped.
func (j *Job) check() error {
	switch {
	case j.Uses != "":
		return errors.New("calls another workflow; ghrun runs steps only")
	case j.Strategy.Kind != 0:
		return errors.New("has a strategy (matrix); ghrun does not expand matrices")
	case j.Services.Kind != 0 || j.Container.Kind != 0:
		return errors.New("uses containers; ghrun runs on the host")
	case j.Permissions.Kind == 0:
		return errors.New("declares no permissions: (each job says what it needs)")
	}
	for i, s := range j.Steps {
		if (s.Run == "") == (s.Uses == "") {
			return fmt.Errorf("%s: a step has either run: or uses:", s.label(i))
		}
		if strings.Contains(s.Run, "${{") {
			// Script injection: an expression's value becomes shell code.
			return fmt.Errorf("%s: run: contains ${{ }}; pass values through env: and quote \"$VARS\"", s.label(i))
		}
	}
	return nil
}

// checkNeeds requires needs: to name earlier jobs, so that running the jobs
// in file order respects every dependency.
func (w *Workflow) checkNeeds() error {
	var seen []string
	for _, j := range w.jobList {
		for _, n := range j.Needs {
			if !slices.Contains(seen, n) {
				return fmt.Errorf("job %s needs %s, which is not an earlier job", j.ID, n)
			}
		}
		seen = append(seen, j.ID)
	}
	return nil
}

// permission is the job's access for one scope: none, read or write.
func (j *Job) permission(scope string) string {
	p := j.Permissions
	switch {
	case p.Kind == yaml.ScalarNode && p.Value == "write-all":
		return "write"
	case p.Kind == yaml.ScalarNode && p.Value == "read-all":
		return "read"
	case p.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(p.Content); i += 2 {
			if p.Content[i].Value == scope {
				return p.Content[i+1].Value
			}
		}
	}
	return "none"
}
