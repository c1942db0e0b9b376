package csaf

// The CSAF 2.0 document model, every property of the OASIS JSON schema
// (csaf_json_schema.json), so that a document read and written again keeps
// each field. CVSS objects stay generic (CVSS), as the FIRST schemas define
// more than thirty properties each that sdlkit only checks, never sets one
// by one.

// Advisory is a CSAF 2.0 document.
type Advisory struct {
	Document        Document         `json:"document"`
	ProductTree     *ProductTree     `json:"product_tree,omitempty"`
	Vulnerabilities []*Vulnerability `json:"vulnerabilities,omitempty"`
}

// Document is the document-level metadata.
type Document struct {
	Acknowledgments   []Acknowledgment   `json:"acknowledgments,omitempty"`
	AggregateSeverity *AggregateSeverity `json:"aggregate_severity,omitempty"`
	Category          string             `json:"category"`
	CSAFVersion       string             `json:"csaf_version"`
	Distribution      *Distribution      `json:"distribution,omitempty"`
	Lang              string             `json:"lang,omitempty"`
	Notes             []Note             `json:"notes,omitempty"`
	Publisher         Publisher          `json:"publisher"`
	References        []Reference        `json:"references,omitempty"`
	SourceLang        string             `json:"source_lang,omitempty"`
	Title             string             `json:"title"`
	Tracking          Tracking           `json:"tracking"`
}

// Acknowledgment names who is thanked.
type Acknowledgment struct {
	Names        []string `json:"names,omitempty"`
	Organization string   `json:"organization,omitempty"`
	Summary      string   `json:"summary,omitempty"`
	URLs         []string `json:"urls,omitempty"`
}

// AggregateSeverity is the vendor's overall rating of the document.
type AggregateSeverity struct {
	Namespace string `json:"namespace,omitempty"`
	Text      string `json:"text"`
}

// Distribution says who may see the document.
type Distribution struct {
	Text string `json:"text,omitempty"`
	TLP  *TLP   `json:"tlp,omitempty"`
}

// TLP is a Traffic Light Protocol label.
type TLP struct {
	Label string `json:"label"`
	URL   string `json:"url,omitempty"`
}

// Note is a piece of text about the document or a vulnerability.
type Note struct {
	Audience string `json:"audience,omitempty"`
	Category string `json:"category"`
	Text     string `json:"text"`
	Title    string `json:"title,omitempty"`
}

// Publisher is who issues the document.
type Publisher struct {
	Category         string `json:"category"`
	ContactDetails   string `json:"contact_details,omitempty"`
	IssuingAuthority string `json:"issuing_authority,omitempty"`
	Name             string `json:"name"`
	Namespace        string `json:"namespace"`
}

// Reference is a link to more information.
type Reference struct {
	Category string `json:"category,omitempty"`
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}

// Tracking identifies the document and its versions.
type Tracking struct {
	Aliases            []string   `json:"aliases,omitempty"`
	CurrentReleaseDate string     `json:"current_release_date"`
	Generator          *Generator `json:"generator,omitempty"`
	ID                 string     `json:"id"`
	InitialReleaseDate string     `json:"initial_release_date"`
	RevisionHistory    []Revision `json:"revision_history"`
	Status             string     `json:"status"`
	Version            string     `json:"version"`
}

// Generator is the tool that wrote the document.
type Generator struct {
	Date   string `json:"date,omitempty"`
	Engine Engine `json:"engine"`
}

// Engine names the generator.
type Engine struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// Revision is one entry of the revision history.
type Revision struct {
	Date          string `json:"date"`
	LegacyVersion string `json:"legacy_version,omitempty"`
	Number        string `json:"number"`
	Summary       string `json:"summary"`
}

// ProductTree names the products the document speaks of.
type ProductTree struct {
	Branches         []*Branch          `json:"branches,omitempty"`
	FullProductNames []*FullProductName `json:"full_product_names,omitempty"`
	ProductGroups    []ProductGroup     `json:"product_groups,omitempty"`
	Relationships    []Relationship     `json:"relationships,omitempty"`
}

// Branch is a level of the product hierarchy: vendor, product name,
// version, ….
type Branch struct {
	Branches []*Branch        `json:"branches,omitempty"`
	Category string           `json:"category"`
	Name     string           `json:"name"`
	Product  *FullProductName `json:"product,omitempty"`
}

// FullProductName defines a product id.
type FullProductName struct {
	Name      string  `json:"name"`
	ProductID string  `json:"product_id"`
	Helper    *Helper `json:"product_identification_helper,omitempty"`
}

// Helper identifies a product for machines: purl, CPE, hashes, ….
type Helper struct {
	CPE           string       `json:"cpe,omitempty"`
	Hashes        []FileHashes `json:"hashes,omitempty"`
	ModelNumbers  []string     `json:"model_numbers,omitempty"`
	PURL          string       `json:"purl,omitempty"`
	SBOMURLs      []string     `json:"sbom_urls,omitempty"`
	SerialNumbers []string     `json:"serial_numbers,omitempty"`
	SKUs          []string     `json:"skus,omitempty"`
	XGenericURIs  []GenericURI `json:"x_generic_uris,omitempty"`
}

// FileHashes are the hashes of one file.
type FileHashes struct {
	FileHashes []FileHash `json:"file_hashes"`
	Filename   string     `json:"filename"`
}

// FileHash is one hash of a file.
type FileHash struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}

// GenericURI is an identifier in another system.
type GenericURI struct {
	Namespace string `json:"namespace"`
	URI       string `json:"uri"`
}

// ProductGroup names a set of products.
type ProductGroup struct {
	GroupID    string   `json:"group_id"`
	ProductIDs []string `json:"product_ids"`
	Summary    string   `json:"summary,omitempty"`
}

// Relationship defines a product made of others: a component as part of
// a product, a product installed on a platform, ….
type Relationship struct {
	Category            string          `json:"category"`
	FullProductName     FullProductName `json:"full_product_name"`
	ProductReference    string          `json:"product_reference"`
	RelatesToProductRef string          `json:"relates_to_product_reference"`
}

// Vulnerability is what the document says about one vulnerability.
type Vulnerability struct {
	Acknowledgments []Acknowledgment `json:"acknowledgments,omitempty"`
	CVE             string           `json:"cve,omitempty"`
	CWE             *CWE             `json:"cwe,omitempty"`
	DiscoveryDate   string           `json:"discovery_date,omitempty"`
	Flags           []Flag           `json:"flags,omitempty"`
	IDs             []VulnID         `json:"ids,omitempty"`
	Involvements    []Involvement    `json:"involvements,omitempty"`
	Notes           []Note           `json:"notes,omitempty"`
	ProductStatus   *ProductStatus   `json:"product_status,omitempty"`
	References      []Reference      `json:"references,omitempty"`
	ReleaseDate     string           `json:"release_date,omitempty"`
	Remediations    []Remediation    `json:"remediations,omitempty"`
	Scores          []Score          `json:"scores,omitempty"`
	Threats         []Threat         `json:"threats,omitempty"`
	Title           string           `json:"title,omitempty"`
}

// CWE is a weakness class.
type CWE struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Flag is a machine-readable reason, the VEX justification of
// known_not_affected products.
type Flag struct {
	Date       string   `json:"date,omitempty"`
	GroupIDs   []string `json:"group_ids,omitempty"`
	Label      string   `json:"label"`
	ProductIDs []string `json:"product_ids,omitempty"`
}

// VulnID is an id of the vulnerability in another system (GHSA, GO-, …).
type VulnID struct {
	SystemName string `json:"system_name"`
	Text       string `json:"text"`
}

// Involvement is a party's part in handling the vulnerability.
type Involvement struct {
	Date    string `json:"date,omitempty"`
	Party   string `json:"party"`
	Status  string `json:"status"`
	Summary string `json:"summary,omitempty"`
}

// ProductStatus lists product ids by how the vulnerability affects them.
type ProductStatus struct {
	FirstAffected      []string `json:"first_affected,omitempty"`
	FirstFixed         []string `json:"first_fixed,omitempty"`
	Fixed              []string `json:"fixed,omitempty"`
	KnownAffected      []string `json:"known_affected,omitempty"`
	KnownNotAffected   []string `json:"known_not_affected,omitempty"`
	LastAffected       []string `json:"last_affected,omitempty"`
	Recommended        []string `json:"recommended,omitempty"`
	UnderInvestigation []string `json:"under_investigation,omitempty"`
}

// Groups returns the product status groups by their JSON names, in the
// schema's order.
func (ps *ProductStatus) Groups() []StatusGroup {
	return []StatusGroup{
		{"first_affected", ps.FirstAffected}, {"first_fixed", ps.FirstFixed}, {"fixed", ps.Fixed},
		{"known_affected", ps.KnownAffected}, {"known_not_affected", ps.KnownNotAffected},
		{"last_affected", ps.LastAffected}, {"recommended", ps.Recommended}, {"under_investigation", ps.UnderInvestigation},
	}
}

// StatusGroup is one product status group.
type StatusGroup struct {
	Name string
	IDs  []string
}

// Remediation says what to do about the vulnerability.
type Remediation struct {
	Category        string           `json:"category"`
	Date            string           `json:"date,omitempty"`
	Details         string           `json:"details"`
	Entitlements    []string         `json:"entitlements,omitempty"`
	GroupIDs        []string         `json:"group_ids,omitempty"`
	ProductIDs      []string         `json:"product_ids,omitempty"`
	RestartRequired *RestartRequired `json:"restart_required,omitempty"`
	URL             string           `json:"url,omitempty"`
}

// RestartRequired says what must restart for a remediation to work.
type RestartRequired struct {
	Category string `json:"category"`
	Details  string `json:"details,omitempty"`
}

// Score is a CVSS score of some products.
type Score struct {
	CVSSv2   CVSS     `json:"cvss_v2,omitempty"`
	CVSSv3   CVSS     `json:"cvss_v3,omitempty"`
	Products []string `json:"products"`
}

// CVSS is a CVSS v2.0 or v3.x object as FIRST's JSON schemas define it:
// version, vectorString, the scores and severities, and each metric
// spelled out.
type CVSS map[string]any

// String returns the string property key, "" when it is not one.
func (c CVSS) String(key string) string {
	s, _ := c[key].(string)
	return s
}

// Number returns the number property key; ok is false when there is none.
func (c CVSS) Number(key string) (float64, bool) {
	f, ok := c[key].(float64)
	return f, ok
}

// Threat is information about the vulnerability's impact, exploitation or
// targets.
type Threat struct {
	Category   string   `json:"category"`
	Date       string   `json:"date,omitempty"`
	Details    string   `json:"details"`
	GroupIDs   []string `json:"group_ids,omitempty"`
	ProductIDs []string `json:"product_ids,omitempty"`
}
