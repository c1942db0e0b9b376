package main

import "github.com/spf13/cobra"

// newSBOMCmd is the parent of the SBOM commands: generate, validate, diff,
// merge.
func newSBOMCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sbom",
		Short: "Make, check and compare software bills of materials",
		Long: `The sbom commands make a CycloneDX 1.6 SBOM of a product from its lockfiles and
binaries, check SBOMs against the official schemas, compare two releases and
merge per-artifact SBOMs into one product SBOM.

The SBOM is the root of the rest of the lifecycle: 'sdlkit attest --type
cyclonedx' binds it to the artifact it describes, and it is the evidence for
third-party component management (SM-9, SM-10) and update management (SUM);
the vulnerability scan and the evidence ledger, which read it, come next.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(
		newSBOMGenerateCmd(a),
		newSBOMValidateCmd(a), newSBOMDiffCmd(a), newSBOMMergeCmd(a),
	)
	return cmd
}
