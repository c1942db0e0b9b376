package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// record is an OSV record (schema 1.6), the fields the generator fills.
type record struct {
	SchemaVersion    string          `json:"schema_version"`
	ID               string          `json:"id"`
	Modified         string          `json:"modified"`
	Published        string          `json:"published"`
	Aliases          []string        `json:"aliases,omitempty"`
	Summary          string          `json:"summary"`
	Details          string          `json:"details"`
	Severity         []severity      `json:"severity,omitempty"`
	Affected         []affected      `json:"affected"`
	References       []reference     `json:"references"`
	DatabaseSpecific json.RawMessage `json:"database_specific,omitempty"`
}

type severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

type affected struct {
	Package           pkg             `json:"package"`
	Ranges            []rng           `json:"ranges,omitempty"`
	Versions          []string        `json:"versions,omitempty"`
	EcosystemSpecific json.RawMessage `json:"ecosystem_specific,omitempty"`
	DatabaseSpecific  json.RawMessage `json:"database_specific,omitempty"`
}

type pkg struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl,omitempty"`
}

type rng struct {
	Type   string              `json:"type"`
	Events []map[string]string `json:"events"`
}

type reference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// ecoSpec is one ecosystem of the export.
type ecoSpec struct {
	name      string
	weight    int    // share of the unrelated records, in percent
	purlType  string // also the key SBOM components are mapped by
	rangeType string
	idPrefix  string // GHSA for the GitHub-reviewed ecosystems
}

// ecosystems and their shares, roughly as in the OSV project's data.
var ecosystems = []ecoSpec{
	{"Go", 8, "golang", "SEMVER", "GO"},
	{"npm", 20, "npm", "SEMVER", "GHSA"},
	{"PyPI", 14, "pypi", "ECOSYSTEM", "PYSEC"},
	{"crates.io", 5, "cargo", "SEMVER", "RUSTSEC"},
	{"Maven", 16, "maven", "ECOSYSTEM", "GHSA"},
	{"NuGet", 5, "nuget", "ECOSYSTEM", "GHSA"},
	{"RubyGems", 6, "gem", "ECOSYSTEM", "GHSA"},
	{"Packagist", 8, "composer", "ECOSYSTEM", "GHSA"},
	{"Debian", 14, "deb", "ECOSYSTEM", "DEBIAN"},
	{"Hex", 4, "hex", "ECOSYSTEM", "GHSA"},
}

func ecoByPURL(typ string) *ecoSpec {
	for i := range ecosystems {
		if ecosystems[i].purlType == typ {
			return &ecosystems[i]
		}
	}
	return nil
}

func ecoByName(name string) *ecoSpec {
	for i := range ecosystems {
		if ecosystems[i].name == name {
			return &ecosystems[i]
		}
	}
	return nil
}

// gen makes records; each from its own random stream, seeded by -seed and
// the record's number.
type gen struct {
	seed  uint64
	hits  int
	taken map[string]bool // SBOM names, never given to unrelated records
}

// hitComponents is how many SBOM components the hits go to: two records
// each, as far as the chosen components go.
func hitComponents(targets, hits int) int {
	return max(1, min(targets, (hits+1)/2))
}

// hitBase numbers the hit records apart from the unrelated ones.
const hitBase = 10_000_000

// namePool is how many names each ecosystem draws unrelated records from.
const namePool = 150_000

// unrelated is record i of the made-up packages.
func (g *gen) unrelated(i int) *record {
	r := rand.New(rand.NewPCG(g.seed, uint64(i)))
	e := pickEcosystem(r)
	idx := rand.NewZipf(r, 1.2, 50, namePool-1).Uint64()
	name := g.name(e, idx)
	rec := g.base(r, e, i, name)
	rec.Affected = []affected{g.affected(r, e, name)}
	if i > 0 && r.IntN(10) == 0 { // one flaw in two records (two ecosystems, say)
		rec.Aliases[0] = cve(i - 1)
	}
	return rec
}

// hit is hit record j: it names a component of the SBOM and reports
// whether it affects the component's version.
func (g *gen) hit(j int, targets []component) (*record, bool) {
	r := rand.New(rand.NewPCG(g.seed, uint64(hitBase+j)))
	k := hitComponents(len(targets), g.hits)
	c := targets[j%k]
	e := ecoByName(c.eco)
	rec := g.base(r, e, hitBase+j, c.name)
	a := affected{Package: pkg{Ecosystem: c.eco, Name: c.name, PURL: purlOf(e, c.name)}}
	affects := r.IntN(2) == 0
	next := nextMajor(c.version)
	switch {
	case affects && next != "" && r.IntN(10) < 7:
		a.Ranges = []rng{{Type: e.rangeType, Events: events("0", next)}}
	case affects:
		a.Versions = []string{"0.0.1", c.version, "99.0.0"}
	case next != "" && r.IntN(2) == 0:
		a.Ranges = []rng{{Type: e.rangeType, Events: []map[string]string{{"introduced": next}}}}
	default: // fixed in the very version the SBOM has
		a.Ranges = []rng{{Type: e.rangeType, Events: events("0", c.version)}}
	}
	rec.Affected = []affected{a}
	if j >= k && r.IntN(10) < 3 { // a second record of the same flaw
		rec.Aliases[0] = cve(hitBase + j - k)
	}
	return rec, affects
}

func pickEcosystem(r *rand.Rand) *ecoSpec {
	n := r.IntN(100)
	for i := range ecosystems {
		if n < ecosystems[i].weight {
			return &ecosystems[i]
		}
		n -= ecosystems[i].weight
	}
	return &ecosystems[0]
}

// base fills what every record has: ids, times, texts, severity,
// references.
func (g *gen) base(r *rand.Rand, e *ecoSpec, i int, name string) *record {
	published := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(5*365*24*3600)) * time.Second)
	modified := published.Add(time.Duration(r.IntN(365*24*3600)) * time.Second)
	rec := &record{
		SchemaVersion: "1.6.0",
		ID:            id(r, e, i),
		Published:     published.Format(time.RFC3339),
		Modified:      modified.Format(time.RFC3339),
		Aliases:       []string{cve(i)},
		Summary:       summary(r, name),
		Details:       details(r, name),
	}
	if e.idPrefix != "GHSA" {
		rec.Aliases = append(rec.Aliases, ghsa(r, i))
	}
	if e.name != "Go" { // the Go vulnerability database rates nothing
		rec.Severity = []severity{{"CVSS_V3", cvss3(r)}}
		if r.IntN(6) == 0 {
			rec.Severity = append(rec.Severity, severity{"CVSS_V4", cvss4(r)})
		}
	}
	rec.References = references(r, rec, name)
	rec.DatabaseSpecific = databaseSpecific(r, e, rec)
	return rec
}

// affected is an unrelated record's affected entry: one to three ranges,
// often a version list (ECOSYSTEM ranges), ecosystem- and
// database-specific fields as each database writes them.
func (g *gen) affected(r *rand.Rand, e *ecoSpec, name string) affected {
	a := affected{Package: pkg{Ecosystem: e.name, Name: name, PURL: purlOf(e, name)}}
	if e.name == "Debian" {
		a.Package.Ecosystem = []string{"Debian:11", "Debian:12", "Debian:13"}[r.IntN(3)]
	}
	var evs []map[string]string
	for k := range 1 + r.IntN(3) {
		introduced, fixed := semver(r, 2*k), semver(r, 2*k+1)
		if k == 0 && r.IntN(10) < 4 {
			introduced = "0"
		}
		if e.name == "Debian" {
			fixed += fmt.Sprintf("-%d+deb%du%d", 1+r.IntN(4), 11+r.IntN(3), 1+r.IntN(5))
		}
		evs = append(evs, map[string]string{"introduced": introduced}, map[string]string{"fixed": fixed})
	}
	if r.IntN(10) == 0 {
		evs = evs[:len(evs)-1] // no fix yet
	}
	a.Ranges = []rng{{Type: e.rangeType, Events: evs}}
	if e.rangeType == "ECOSYSTEM" && e.name != "Debian" && r.IntN(10) < 4 {
		for range 5 + r.IntN(25) {
			a.Versions = append(a.Versions, semver(r, 0))
		}
	}
	switch e.name {
	case "Go":
		a.EcosystemSpecific = raw(map[string]any{"imports": []map[string]any{{
			"path": name + "/" + word(r), "symbols": []string{title(word(r)), title(word(r)) + "." + title(word(r))}}}})
	case "Debian":
		a.EcosystemSpecific = raw(map[string]string{"urgency": []string{"low", "medium", "high", "not yet assigned"}[r.IntN(4)]})
		a.DatabaseSpecific = raw(map[string]string{"source": "https://example.invalid/debian-osv/" + name + ".json"})
	case "PyPI", "crates.io":
		a.DatabaseSpecific = raw(map[string]string{"source": "https://example.invalid/" + strings.ToLower(e.name) + "/" + name + ".yaml"})
	}
	return a
}

func events(introduced, fixed string) []map[string]string {
	return []map[string]string{{"introduced": introduced}, {"fixed": fixed}}
}

// nextMajor is the next major version after v ("1.55.8" → "2.0.0"), "" when
// v does not start with a number.
func nextMajor(v string) string {
	v = strings.TrimPrefix(v, "v")
	end := strings.IndexFunc(v, func(c rune) bool { return c < '0' || c > '9' })
	if end == 0 || v == "" {
		return ""
	}
	if end < 0 {
		end = len(v)
	}
	major, err := strconv.Atoi(v[:end])
	if err != nil {
		return ""
	}
	return strconv.Itoa(major+1) + ".0.0"
}

// semver is a version whose major grows with step, so that events given
// with rising steps are in order.
func semver(r *rand.Rand, step int) string {
	return fmt.Sprintf("%d.%d.%d", step*3+r.IntN(3), r.IntN(30), r.IntN(20))
}

func raw(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// id is a record id in the style of its database: unique by i.
func id(r *rand.Rand, e *ecoSpec, i int) string {
	year := 2030 + i%5
	switch e.idPrefix {
	case "GHSA":
		return ghsa(r, i)
	case "DEBIAN":
		return fmt.Sprintf("DEBIAN-CVE-%d-%d", year, 100000+i)
	}
	return fmt.Sprintf("%s-%d-%d", e.idPrefix, year, 100000+i)
}

func cve(i int) string { return fmt.Sprintf("CVE-%d-%d", 2030+i%5, 100000+i) }

// ghsa is a GHSA id: i in base 20 in its last seven letters (unique), the
// first five random.
func ghsa(r *rand.Rand, i int) string {
	const letters = "23456789cfghjmpqrvwx"
	var b [12]byte
	for k := range 5 {
		b[k] = letters[r.IntN(20)]
	}
	for k := 11; k >= 5; k-- {
		b[k] = letters[i%20]
		i /= 20
	}
	return "GHSA-" + string(b[0:4]) + "-" + string(b[4:8]) + "-" + string(b[8:12])
}

func cvss3(r *rand.Rand) string {
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	return "CVSS:3.1/AV:" + pick("N", "A", "L", "P") + "/AC:" + pick("L", "H") + "/PR:" + pick("N", "L", "H") +
		"/UI:" + pick("N", "R") + "/S:" + pick("U", "C") + "/C:" + pick("N", "L", "H") + "/I:" + pick("N", "L", "H") +
		"/A:" + pick("N", "L", "H")
}

func cvss4(r *rand.Rand) string {
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	return "CVSS:4.0/AV:" + pick("N", "A", "L", "P") + "/AC:" + pick("L", "H") + "/AT:" + pick("N", "P") +
		"/PR:" + pick("N", "L", "H") + "/UI:" + pick("N", "P", "A") + "/VC:" + pick("N", "L", "H") +
		"/VI:" + pick("N", "L", "H") + "/VA:" + pick("N", "L", "H") + "/SC:" + pick("N", "L", "H") +
		"/SI:" + pick("N", "L", "H") + "/SA:" + pick("N", "L", "H")
}

func databaseSpecific(r *rand.Rand, e *ecoSpec, rec *record) json.RawMessage {
	switch e.idPrefix {
	case "GHSA":
		return raw(map[string]any{
			"cwe_ids":            []string{fmt.Sprintf("CWE-%d", 20+r.IntN(900))},
			"severity":           []string{"LOW", "MODERATE", "HIGH", "CRITICAL"}[r.IntN(4)],
			"github_reviewed":    true,
			"github_reviewed_at": rec.Modified,
			"nvd_published_at":   rec.Published,
		})
	case "GO":
		return raw(map[string]string{"review_status": "REVIEWED", "url": "https://pkg.go.dev/vuln/" + rec.ID})
	}
	return nil
}

func references(r *rand.Rand, rec *record, name string) []reference {
	repo := "https://github.com/" + word(r) + "/" + strings.NewReplacer("/", "-", ":", "-", "@", "").Replace(name)
	refs := []reference{{"ADVISORY", "https://nvd.nist.gov/vuln/detail/" + rec.Aliases[0]}}
	for range 1 + r.IntN(5) {
		switch r.IntN(4) {
		case 0:
			refs = append(refs, reference{"FIX", fmt.Sprintf("%s/commit/%016x%016x%08x", repo, r.Uint64(), r.Uint64(), r.Uint32())})
		case 1:
			refs = append(refs, reference{"REPORT", fmt.Sprintf("%s/issues/%d", repo, 1+r.IntN(20000))})
		case 2:
			refs = append(refs, reference{"WEB", fmt.Sprintf("https://example.invalid/security/%s/%d", word(r), r.IntN(100000))})
		default:
			refs = append(refs, reference{"PACKAGE", repo})
		}
	}
	return refs
}

func summary(r *rand.Rand, name string) string {
	return title(kinds[r.IntN(len(kinds))]) + " in " + name + " via " + word(r) + " " + word(r)
}

// details is three to eight sentences of advisory prose.
func details(r *rand.Rand, name string) string {
	var b strings.Builder
	for k := range 3 + r.IntN(6) {
		if k > 0 {
			b.WriteByte(' ')
		}
		switch r.IntN(4) {
		case 0:
			fmt.Fprintf(&b, "%s is vulnerable to %s when %s %s input is passed to the %s %s.",
				name, kinds[r.IntN(len(kinds))], word(r), word(r), word(r), word(r))
		case 1:
			fmt.Fprintf(&b, "An attacker who controls the %s of a %s request can %s the %s and %s.",
				word(r), word(r), word(r), word(r), impacts[r.IntN(len(impacts))])
		case 2:
			fmt.Fprintf(&b, "The %s function does not check the length of %s before copying it into %s.",
				title(word(r)), word(r), word(r))
		default:
			fmt.Fprintf(&b, "Users should upgrade; as a workaround, disable the %s %s option or restrict %s.",
				word(r), word(r), word(r))
		}
	}
	return b.String()
}

var kinds = []string{"cross-site scripting", "SQL injection", "path traversal", "denial of service",
	"uncontrolled resource consumption", "improper input validation", "server-side request forgery",
	"prototype pollution", "regular expression denial of service", "use after free",
	"out-of-bounds read", "integer overflow", "improper certificate validation", "command injection",
	"insecure deserialization", "open redirect", "information disclosure", "race condition"}

var impacts = []string{"execute arbitrary code", "read arbitrary files", "cause a crash",
	"exhaust memory", "bypass authentication", "leak credentials", "escalate privileges"}

var words = strings.Fields(`alpha amber anchor apex arc argon atlas aurora axle badge basalt beacon birch
blaze bolt bramble breeze brook cable cactus canyon carbon cedar cinder cipher citadel clover cobalt comet
copper coral cosmos crane crest crystal cypress dagger delta dune dusk echo ember falcon fern ferro fjord
flint forge fox frost galaxy garnet geyser glacier granite gravel grove harbor hawk hazel helix heron
horizon indigo iris ivory jade jasper juniper kelp kestrel lagoon lantern larch lava ledger lichen lilac
lotus lumen lynx magma maple marble meadow mesa meteor mica mist monsoon moss nebula nickel nimbus north
oasis obsidian ocean onyx opal orbit orchid osprey otter oxide paddle pebble pepper photon pine pixel
plasma plume polar prism pulse quartz quasar quill radar raven reef ridge ripple river rook ruby saffron
sage salvo sand sapphire scarab sequoia shale sierra signal silica slate sonar spark spruce squall
stellar stone storm summit sun talon tango tempest thistle thorn thunder tide timber topaz torch
tundra umber vapor velvet vertex violet vortex walnut willow wisp yarrow zenith zephyr zinc`)

func word(r *rand.Rand) string { return words[r.IntN(len(words))] }

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// name is package idx of the ecosystem's pool, spelled as the ecosystem
// spells names; a name an SBOM component has gets a suffix.
func (g *gen) name(e *ecoSpec, idx uint64) string {
	w := uint64(len(words))
	a, b, c := words[idx%w], words[(idx/w)%w], idx/(w*w)
	suffix := ""
	if c > 0 {
		suffix = strconv.FormatUint(c+1, 10)
	}
	var n string
	switch e.name {
	case "Go":
		n = "github.com/" + b + suffix + "/" + a + "-go"
	case "npm":
		if c%2 == 1 {
			n = "@" + b + suffix + "/" + a
		} else {
			n = a + "-" + b + suffix
		}
	case "PyPI":
		n = "py" + a + "-" + b + suffix
	case "crates.io":
		n = a + "_" + b + suffix
	case "Maven":
		n = "org." + b + suffix + ":" + a + "-core"
	case "NuGet":
		n = title(b) + suffix + "." + title(a)
	case "RubyGems":
		n = a + "_" + b + suffix + "_rb"
	case "Packagist":
		n = b + suffix + "/" + a
	case "Debian":
		n = "lib" + a + "-" + b + suffix
	default:
		n = a + "_" + b + suffix + "_ex"
	}
	for g.taken[e.name+"\x00"+n] {
		n += "-x"
	}
	return n
}

func purlOf(e *ecoSpec, name string) string {
	switch e.purlType {
	case "maven":
		ns, n, _ := strings.Cut(name, ":")
		return "pkg:maven/" + ns + "/" + n
	case "npm":
		return "pkg:npm/" + strings.Replace(name, "@", "%40", 1)
	case "deb":
		return "pkg:deb/debian/" + name
	}
	return "pkg:" + e.purlType + "/" + name
}
