package project

import (
	"bytes"
	"strconv"
	"text/template"
)

// TemplateOptions fill in the project file 'sdlkit init' writes.
type TemplateOptions struct {
	Product  string
	Supplier string
	// Artifacts are the patterns written; empty writes dist/*.
	Artifacts []string
	// Source is the source tree, relative to the file (default ".").
	Source string
	// Key is the signing key's path; empty writes keyless signing.
	Key string
}

var projectTemplate = template.Must(template.New("sdlkit.yaml").Funcs(template.FuncMap{"q": strconv.Quote}).Parse(`# sdlkit.yaml: what 'sdlkit run' needs to know about a release of this
# repository. Paths are relative to this file. Flags override each key for
# one run (sdlkit run --help). Every key is checked: a misspelt key is an
# error, never ignored.
format: sdlkit.config/v1

# The product, as customers know it, and who supplies it.
product: {{q .Product}}
{{if .Supplier}}supplier: {{q .Supplier}}{{else}}# supplier: "Example Automation GmbH"{{end}}

# The release. Default: the git tag on HEAD (a commit without a tag gets a
# pseudo-version, 0.0.0-<time>-<commit>, and a warning).
# version: v1.4.0

# The source tree the SBOM is made from (lockfiles, go.mod, …).
source: {{q .Source}}

# The built files of a release (filepath.Match patterns). Build them before
# 'sdlkit run'; each pattern must match at least one file.
artifacts:
{{- range .Artifacts}}
  - {{q .}}
{{- end}}

# The release gate: a built-in policy (sdlkit policy list) or a policy file.
# baseline: no fixable critical or high finding, a valid SBOM bound to the
# artifacts, every artifact signed. iec62443-ml3 adds ledger evidence for
# every in-scope requirement sdlkit can evidence.
policy: baseline

# How artifacts, attestations and the ledger checkpoint are signed: a key
# (cosign format, password in $SDLKIT_PASSWORD; or a KMS URI), or keyless
# with the CI's OIDC identity (GitHub Actions, id-token: write).
signing:
{{- if .Key}}
  key: {{q .Key}}
  # keyless: true
{{- else}}
  # key: release.key
  keyless: true
{{- end}}

# The evidence ledger. Default: the sdlkit-ledger branch of this repository.
# ledger: ../evidence-ledger.git

# Where the run writes its evidence (SBOM, scan, bundles, index.md).
evidence: dist/evidence

# Triage decisions applied to the scan (OpenVEX, CycloneDX VEX, CSAF).
vex: []

# The offline advisory store (sdlkit advisories). On an air-gapped machine,
# import an export or a signed snapshot carried in; on a connected one,
# fetch the ecosystems the product uses.
advisories:
  # db: /var/lib/sdlkit/advisories
  import: []
  # The public key signed snapshots (sdlkit advisories export) must verify with.
  # snapshot_key: advisories.pub
  fetch: []
  # Fail when the newest advisory is older than this.
  max_age: 7d
`))

// Template returns a commented project file that Parse accepts.
func Template(o TemplateOptions) []byte {
	if len(o.Artifacts) == 0 {
		o.Artifacts = []string{"dist/*"}
	}
	if o.Source == "" {
		o.Source = "."
	}
	var buf bytes.Buffer
	if err := projectTemplate.Execute(&buf, o); err != nil {
		panic(err) // the template and its data are the package's own
	}
	return buf.Bytes()
}
