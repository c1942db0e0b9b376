// Package csaf reads, writes, validates and publishes CSAF 2.0 documents
// (OASIS Common Security Advisory Framework): the security advisories and
// VEX documents a supplier issues for its own products, as IEC 62443-4-1
// asks (DM-5: tell customers about security issues; SUM-2: document each
// security update), in the form ICS operators, CISA and national CERTs
// read.
//
// It writes a csaf_vex or csaf_security_advisory from the release SBOMs,
// VEX statements and scan results (Create), keeps the tracking metadata
// through revisions (Update), checks a document against the JSON schema
// and the mandatory tests of section 6.1 (Validate), and lays documents
// out as a provider directory (Publish). It does not fetch, aggregate or
// mirror other providers' documents, and does not sign: the command signs
// what Publish lays out.
//
// What is written by hand, and why:
//
//   - The document model. github.com/gocsaf/csaf/v3 (the BSI's provider,
//     checker and validator tools) has one, but its package links
//     santhosh-tekuri/jsonschema/v6, gval and an HTTP client: measured with
//     GODEBUG=inittrace=1, importing it adds about 11 ms to the start of
//     every sdlkit call (9.8 ms the schema library's init alone), the cost
//     internal/jsonschema was written to avoid. The model here has every
//     property of the CSAF 2.0 schema; CVSS objects stay generic maps, so
//     that a document read and written again keeps every field (the round
//     trip test checks it on the OASIS examples, the CISA advisories and
//     the validator test documents).
//   - The mandatory tests. gocsaf checks the schema and leaves the tests of
//     section 6.1 to a remote validator service; sdlkit runs offline. Every
//     test of 6.1 is implemented (MandatoryTests lists them). 6.1.11 reads
//     the names every CWE version has given each weakness, a table taken
//     from the BSI's csaf-validator-lib (cwe/README.md). Scores are computed
//     with pandatix/go-cvss, the scorer vulnmgmt/severity uses.
//   - The schemas are OASIS's, embedded (package schema) and compiled on
//     first use with internal/jsonschema.
//
// A VEX statement names a range of the product's versions with the purl
// qualifier vers (pkg:generic/acme/fw?vers=vers:generic/%3C2.3.1, "fw before
// 2.3.1"), which becomes a product_version_range branch; OpenVEX has no
// version ranges of its own.
//
// CSAF 2.0 has no CVSS v4.0 object (it arrives with CSAF 2.1): a finding
// rated by a v4.0 vector gets its vector and score as a vulnerability note
// titled "CVSS v4.0", and v3.x vectors become cvss_v3 scores.
package csaf
