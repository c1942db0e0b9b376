// Package vulnmgmt will check an SBOM (the sbom package's model) against OSV
// advisories, online through the OSV API or offline from an imported advisory
// database, record triage as VEX, and render one result model as table, JSON,
// SARIF, CycloneDX VDR and OpenVEX.
//
// Not yet implemented: it lands in the next wave of work. It will import sbom
// and nothing of the ledger.
package vulnmgmt
