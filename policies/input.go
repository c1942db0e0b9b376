package policies

// Input is what every rule sees: the facts of one release. A rule reads
// them through the variables release, sbom, scan, artifacts and ledger;
// field names are the JSON names below (sbom.withoutVersion,
// scan.findings, ledger.requirements["SVV-3"].covered). A fact that was not
// given is present: false, never a missing field, so a rule is type-checked
// once and fails closed when its evidence is absent.
type Input struct {
	Release   Release    `json:"release"`
	SBOM      SBOM       `json:"sbom"`
	Scan      Scan       `json:"scan"`
	Artifacts []Artifact `json:"artifacts"`
	Ledger    Ledger     `json:"ledger"`
}

// Release names the release being gated.
type Release struct {
	Product string `json:"product"`
	Version string `json:"version"`
}

// SBOM are the facts of the release's SBOM.
type SBOM struct {
	Present bool `json:"present"`
	// Valid: the SBOM passed its schema and semantic checks; Problems are
	// the checks it failed.
	Valid      bool     `json:"valid"`
	Problems   []string `json:"problems"`
	Components int      `json:"components"`
	// WithoutVersion and WithoutPURL count components lacking either.
	WithoutVersion int `json:"withoutVersion"`
	WithoutPURL    int `json:"withoutPurl"`
	// Licenses are the distinct license expressions of the components.
	Licenses []string `json:"licenses"`
	// Unlicensed counts components with no license.
	Unlicensed int `json:"unlicensed"`
	// Bound are the artifact digests ("sha256:…") the SBOM describes.
	Bound []string `json:"bound"`
}

// Scan are the facts of the release's vulnerability scan, after VEX.
type Scan struct {
	Present  bool      `json:"present"`
	Findings []Finding `json:"findings"`
	// StoreAgeDays is the age of the newest advisory of the store the scan
	// was checked against, in days at the time of the check.
	StoreAgeDays int `json:"storeAgeDays"`
}

// Finding is one finding of the scan.
type Finding struct {
	ID        string `json:"id"`
	Component string `json:"component"`
	Version   string `json:"version"`
	// Severity is critical, high, medium, low or unknown.
	Severity string  `json:"severity"`
	Score    float64 `json:"score"`
	// FixAvailable: an advisory names a version that fixes it.
	FixAvailable bool `json:"fixAvailable"`
	// AgeDays is the time since the advisory was published, in days.
	AgeDays int `json:"ageDays"`
	// Suppressed: a VEX statement says not_affected or fixed.
	Suppressed bool `json:"suppressed"`
	// VEXStatus and VEXAction are the VEX statement that applies, if any.
	VEXStatus string `json:"vexStatus"`
	VEXAction string `json:"vexAction"`
}

// Artifact is one released file and what was verified of it.
type Artifact struct {
	Name   string `json:"name"`
	Digest string `json:"digest"`
	// Signed: a signature bundle over it verified against the key or
	// identity given; Signer says whose.
	Signed bool   `json:"signed"`
	Signer string `json:"signer"`
	// Attestations are the predicate types of the verified attestations.
	Attestations []string `json:"attestations"`
}

// Ledger are the facts of the evidence ledger for the release.
type Ledger struct {
	Present bool `json:"present"`
	// InScope and Covered count the in-scope requirements and those with
	// evidence for the release.
	InScope int `json:"inScope"`
	Covered int `json:"covered"`
	// Missing and Stale list in-scope requirements without evidence for
	// the release, and with stale evidence.
	Missing []string `json:"missing"`
	Stale   []string `json:"stale"`
	// Requirements holds every requirement of the catalog by ID.
	Requirements map[string]Requirement `json:"requirements"`
	// Maturity is the estimated level per practice (SM, SR, …).
	Maturity map[string]int `json:"maturity"`
}

// Requirement is one requirement's state in the ledger.
type Requirement struct {
	InScope  bool `json:"inScope"`
	Covered  bool `json:"covered"`
	Stale    bool `json:"stale"`
	Evidence int  `json:"evidence"`
	// Automatic: sdlkit can produce evidence for it (the catalog names a
	// producer among its evidence kinds).
	Automatic bool `json:"automatic"`
}
