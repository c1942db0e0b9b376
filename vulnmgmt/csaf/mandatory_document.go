package csaf

import (
	"regexp"
	"strings"
	"sync"

	"github.com/package-url/packageurl-go"
)

// iso639_1 are the two-letter language subtags of the IANA registry (with
// the deprecated in, iw, ji, jw, mo, sh), listed with
// golang.org/x/text/language v0.44.0's ParseBase.
const iso639_1 = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik in io is it iu iw ja ji jv jw ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mo mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg sh si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"

// languageTag is RFC 5646's langtag and privateuse, in one expression.
var languageTag = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(?:(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|[0-9]{3}))?(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*(?:-x(?:-[a-z0-9]{1,8})+)?|x(?:-[a-z0-9]{1,8})+)$`)
})

// grandfathered are the tags of RFC 5646 that its grammar does not
// produce, lower-cased.
const grandfathered = " en-gb-oed i-ami i-bnn i-default i-enochian i-hak i-klingon i-lux i-mingo i-navajo i-pwn i-tao i-tay i-tsu sgn-be-fr sgn-be-nl sgn-ch-de art-lojban cel-gaulish no-bok no-nyn zh-guoyu zh-hakka zh-min zh-min-nan zh-xiang "

// validLanguage checks a language tag's form and, for a two-letter
// language, that the registry has it: "EZ" is well formed and no language.
func validLanguage(tag string) bool {
	if strings.Contains(grandfathered, " "+strings.ToLower(tag)+" ") {
		return true
	}
	if !languageTag().MatchString(tag) {
		return false
	}
	lang, _, _ := strings.Cut(strings.ToLower(tag), "-")
	return len(lang) != 2 || strings.Contains(" "+iso639_1+" ", " "+lang+" ")
}

func languages(a *Advisory) []Finding {
	var out []Finding
	for _, l := range []struct{ path, tag string }{{"/document/lang", a.Document.Lang}, {"/document/source_lang", a.Document.SourceLang}} {
		if l.tag != "" && !validLanguage(l.tag) {
			out = append(out, finding(l.path, "%q is not a language tag (BCP 47)", l.tag))
		}
	}
	return out
}

func purls(a *Advisory) []Finding {
	var out []Finding
	eachProduct(a, func(p *FullProductName, path string) {
		if p.Helper == nil || p.Helper.PURL == "" {
			return
		}
		if _, err := packageurl.FromString(p.Helper.PURL); err != nil || !validPURLName(p.Helper.PURL) {
			out = append(out, finding(path+"/product_identification_helper/purl", "%q is not a package URL", p.Helper.PURL))
		}
	})
	return out
}

// validPURLName catches what packageurl-go lets through: an empty name
// ("pkg:maven/@1.3.4").
func validPURLName(purl string) bool {
	p, err := packageurl.FromString(purl)
	return err == nil && p.Name != "" && p.Type != ""
}

func translator(a *Advisory) []Finding {
	if a.Document.Publisher.Category == "translator" && a.Document.SourceLang == "" {
		return []Finding{finding("/document/source_lang", "a translator's document needs source_lang")}
	}
	return nil
}

func translation(a *Advisory) []Finding {
	d := a.Document
	if d.Lang != "" && strings.EqualFold(d.Lang, d.SourceLang) {
		return []Finding{finding("/document/source_lang", "source_lang is lang, %s: a translation needs another language", d.Lang)}
	}
	return nil
}

func multipleCVEs(a *Advisory) []Finding {
	seen := map[string]int{}
	var out []Finding
	for i, v := range a.Vulnerabilities {
		if v == nil || v.CVE == "" {
			continue
		}
		if j, ok := seen[v.CVE]; ok {
			out = append(out, finding(ptr("vulnerabilities", i, "cve"), "%s is also vulnerabilities/%d", v.CVE, j))
			continue
		}
		seen[v.CVE] = i
	}
	return out
}

func multipleInvolvements(a *Advisory) []Finding {
	return eachVulnerability(a, func(i int, v *Vulnerability) []Finding {
		var out []Finding
		seen := map[[2]string]int{}
		for j, inv := range v.Involvements {
			key := [2]string{inv.Party, inv.Date}
			if k, ok := seen[key]; ok {
				out = append(out, finding(ptr("vulnerabilities", i, "involvements", j), "party %s at %q is also involvements/%d", inv.Party, inv.Date, k))
				continue
			}
			seen[key] = j
		}
		return out
	})
}

func multipleHashAlgorithms(a *Advisory) []Finding {
	var out []Finding
	eachProduct(a, func(p *FullProductName, path string) {
		if p.Helper == nil {
			return
		}
		for i, h := range p.Helper.Hashes {
			seen := map[string]bool{}
			for j, fh := range h.FileHashes {
				if seen[fh.Algorithm] {
					out = append(out, finding(path+ptr("product_identification_helper", "hashes", i, "file_hashes", j, "algorithm"), "a second %s hash of %s", fh.Algorithm, h.Filename))
				}
				seen[fh.Algorithm] = true
			}
		}
	})
	return out
}

// profiles are the categories of the profiles of section 4.
var profiles = []string{"csaf_base", "csaf_security_incident_response", "csaf_informational_advisory", "csaf_security_advisory", "csaf_vex"}

// prohibitedCategory reports a category that is a profile's name spelled
// otherwise, or that takes the reserved csaf_ prefix (6.1.26).
func prohibitedCategory(a *Advisory) []Finding {
	c := a.Document.Category
	for _, p := range profiles {
		if c == p {
			return nil
		}
	}
	if strings.HasPrefix(strings.ToLower(c), "csaf_") {
		return []Finding{finding("/document/category", "%q takes the prefix csaf_, reserved for the profiles", c)}
	}
	norm := func(s string) string {
		return strings.ToLower(strings.Map(func(r rune) rune {
			if r == '-' || r == '_' || r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, s))
	}
	for _, p := range profiles[1:] {
		if n := norm(c); n == norm(p) || n == norm(strings.TrimPrefix(p, "csaf_")) {
			return []Finding{finding("/document/category", "%q is the profile %s spelled otherwise", c, p)}
		}
	}
	return nil
}

// rangeWords are the signs and words (between spaces: "after-eight" is a
// name) of a version range that 6.1.31 lists.
var rangeWords = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(<|>|(^|\s)(after|all|before|earlier|later|prior|versions)(\s|$))`)
})

func versionRangeInVersion(a *Advisory) []Finding {
	var out []Finding
	eachBranch(a, func(b *Branch, path string) {
		if b.Category == "product_version" && rangeWords().MatchString(b.Name) {
			out = append(out, finding(path+"/name", "product_version %q is a version range: use product_version_range", b.Name))
		}
	})
	return out
}
