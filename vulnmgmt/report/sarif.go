package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/sdlkit/sdlkit/vulnmgmt/scan"
	"github.com/sdlkit/sdlkit/vulnmgmt/severity"
)

// The SARIF 2.1.0 objects sdlkit writes (OASIS SARIF v2.1.0, errata 01).
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool       sarifTool      `json:"tool"`
		Results    []sarifResult  `json:"results"`
		Properties map[string]any `json:"properties,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID               string         `json:"id"`
		ShortDescription sarifText      `json:"shortDescription"`
		FullDescription  sarifText      `json:"fullDescription"`
		HelpURI          string         `json:"helpUri,omitempty"`
		Help             sarifHelp      `json:"help"`
		Properties       map[string]any `json:"properties"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifHelp struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown"`
	}
	sarifResult struct {
		RuleID              string             `json:"ruleId"`
		RuleIndex           int                `json:"ruleIndex"`
		Level               string             `json:"level"`
		Message             sarifText          `json:"message"`
		Locations           []sarifLocation    `json:"locations"`
		PartialFingerprints map[string]string  `json:"partialFingerprints"`
		Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation struct {
			ArtifactLocation struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
		} `json:"physicalLocation"`
	}
	sarifSuppression struct {
		Kind          string `json:"kind"`
		Status        string `json:"status"`
		Justification string `json:"justification,omitempty"`
	}
)

// SARIF writes the findings as SARIF 2.1.0, one rule per vulnerability and
// one result per affected component, located at the lockfile that pulled
// the component in (else the scanned file), with the CVSS score as
// GitHub's security-severity; VEX-suppressed findings carry a suppression.
func SARIF(w io.Writer, r *scan.Result) error {
	log := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0"}
	run := sarifRun{
		Tool:       sarifTool{Driver: sarifDriver{Name: r.Tool.Name, Version: r.Tool.Version, InformationURI: "https://github.com/sdlkit/sdlkit", Rules: []sarifRule{}}},
		Results:    []sarifResult{},
		Properties: map[string]any{"advisoryStore": r.Store.Digest, "advisoryStoreNewest": r.Store.Newest},
	}
	index := map[string]int{}
	for _, f := range r.Findings {
		i, ok := index[f.ID]
		if !ok {
			i = len(run.Tool.Driver.Rules)
			index[f.ID] = i
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(f))
		}
		run.Results = append(run.Results, sarifResultOf(r, f, i))
	}
	log.Runs = []sarifRun{run}
	return writeJSON(w, log)
}

func sarifRuleOf(f scan.Finding) sarifRule {
	summary := f.Summary
	if summary == "" {
		summary = f.ID
	}
	names := strings.Join(f.IDs(), ", ")
	rule := sarifRule{
		ID:               f.ID,
		ShortDescription: sarifText{Text: f.ID + ": " + summary},
		FullDescription:  sarifText{Text: summary + " (" + names + ")"},
		HelpURI:          "https://osv.dev/vulnerability/" + f.ID,
		Help: sarifHelp{
			Text:     fmt.Sprintf("%s. Known as %s. Fixed in: %s.", summary, names, orDash(strings.Join(f.Fixed, ", "))),
			Markdown: fmt.Sprintf("**%s**\n\nKnown as %s.\n\nFixed in: %s.", md(summary), md(names), md(orDash(strings.Join(f.Fixed, ", ")))),
		},
		Properties: map[string]any{"tags": []string{"security", "vulnerability", f.Component.Ecosystem}},
	}
	if f.Severity.Vector != "" {
		rule.Properties["security-severity"] = fmt.Sprintf("%.1f", f.Severity.Score)
	}
	return rule
}

func sarifResultOf(r *scan.Result, f scan.Finding, rule int) sarifResult {
	uri := r.Target.Source
	if len(f.Component.Locations) > 0 {
		uri = f.Component.Locations[0]
	}
	var loc sarifLocation
	loc.PhysicalLocation.ArtifactLocation.URI = uri
	msg := fmt.Sprintf("%s %s is affected by %s", f.Component.Name, f.Component.Version, f.ID)
	if len(f.Fixed) > 0 {
		msg += "; fixed in " + strings.Join(f.Fixed, ", ")
	}
	sum := sha256.Sum256([]byte(f.ID + "\x00" + f.Component.Ref))
	res := sarifResult{
		RuleID: f.ID, RuleIndex: rule, Level: sarifLevel(f.Severity.Rating), Message: sarifText{Text: msg},
		Locations:           []sarifLocation{loc},
		PartialFingerprints: map[string]string{"sdlkit/finding/v1": hex.EncodeToString(sum[:16])},
	}
	if f.Suppressed && f.VEX != nil {
		just := string(f.VEX.Status)
		if f.VEX.Justification != "" {
			just += ": " + string(f.VEX.Justification)
		}
		if f.VEX.ImpactStatement != "" {
			just += ": " + f.VEX.ImpactStatement
		}
		res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: just}}
	}
	return res
}

// sarifLevel maps a rating to a SARIF level.
func sarifLevel(r severity.Rating) string {
	switch r {
	case severity.Critical, severity.High:
		return "error"
	case severity.Medium:
		return "warning"
	}
	return "note"
}
