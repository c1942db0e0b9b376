package main

import (
	"cmp"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/internal/project"
	"github.com/sdlkit/sdlkit/internal/textsafe"
	"github.com/sdlkit/sdlkit/sbom/generate"
)

type initOptions struct {
	output    string
	force     bool
	product   string
	supplier  string
	key       string
	artifacts []string
}

func newInitCmd(a *app) *cobra.Command {
	var o initOptions
	cmd := &cobra.Command{
		Use:   "init [--product NAME] [--artifact GLOB]... [--key KEY]",
		Short: "Write a commented sdlkit.yaml for the repository, for 'sdlkit run'",
		Long: `init writes sdlkit.yaml: the product (from go.mod, package.json or
Cargo.toml, else the directory's name), where the built artifacts are
(dist/* unless --artifact), the release gate (baseline), signing (keyless
unless --key), the evidence folder and the advisory store, each key with a
comment saying what it does. Edit it, then run 'sdlkit run'.

An existing file is never replaced unless --force.`,
		Example: `  sdlkit init
  sdlkit init --product plc-gateway --artifact 'build/gw-*' --key release.key`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runInit(a, &o) },
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", project.DefaultName, "the file to write")
	f.BoolVar(&o.force, "force", false, "replace an existing file")
	f.StringVar(&o.product, "product", "", "the product's name (default: from the manifests, else the directory)")
	f.StringVar(&o.supplier, "supplier", "", "the organisation that supplies the product")
	f.StringVar(&o.key, "key", "", "sign with this key file (default: keyless, in CI)")
	f.StringArrayVar(&o.artifacts, "artifact", nil, "a `GLOB` of the built files (repeatable; default dist/*)")
	return cmd
}

func runInit(a *app, o *initOptions) error {
	if o.output == "-" {
		return usageErrorf("sdlkit init: --output - is not supported: give a file")
	}
	if _, err := os.Lstat(o.output); err == nil && !o.force {
		return inputError(fmt.Errorf("write project file %q: it exists", textsafe.Escape(o.output)), "edit it, or pass --force to replace it")
	}
	dir := filepath.Dir(o.output)
	product := cmp.Or(o.product, detectProduct(dir))
	for _, g := range o.artifacts {
		if _, err := filepath.Match(g, ""); err != nil {
			return usageErrorf("sdlkit init: --artifact %q: %v", textsafe.Escape(g), err)
		}
	}
	data := project.Template(project.TemplateOptions{Product: product, Supplier: o.supplier, Artifacts: o.artifacts, Key: o.key})
	if _, err := project.Parse(data, o.output); err != nil {
		return inputError(err)
	}
	if err := atomicfile.WriteFile(o.output, data); err != nil {
		return inputError(fmt.Errorf("write project file %q: %w", textsafe.Escape(o.output), unwrapPathErr(err)))
	}
	fmt.Fprintln(a.out, o.output)
	a.infof("wrote %s for product %s: edit it, build the artifacts, then run 'sdlkit run'", textsafe.Escape(o.output), textsafe.Escape(product))
	return nil
}

// detectProduct names the product from the manifest at dir, as 'sbom
// generate' finds it (generate.ManifestProduct), a Go module by its last
// path element without a major version suffix; else the directory's name.
func detectProduct(dir string) string {
	eco, name, _ := generate.ManifestProduct(dir)
	if eco == "Go" {
		if isMajorSuffix(path.Base(name)) {
			name = path.Dir(name)
		}
		name = path.Base(name)
	}
	if name != "" {
		return name
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "product"
	}
	return filepath.Base(abs)
}

// isMajorSuffix reports a Go major version suffix such as v2.
func isMajorSuffix(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	return strings.Trim(s[1:], "0123456789") == ""
}
