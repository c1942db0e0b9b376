// Package osv reads OSV advisories (https://ossf.github.io/osv-schema/),
// JSON or YAML, into osv-schema's Go bindings — the model osv-scanner v2 and
// osv-scalibr use — and checks the fields the scanner relies on.
//
// Decoding is protojson's, with unknown fields discarded so that records of a
// newer schema version still read; YAML (the PyPI and PSF advisory
// databases keep their records as YAML) is converted to JSON first.
package osv

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"
	"sigs.k8s.io/yaml"
)

// Vulnerability is one OSV record.
type Vulnerability = osvpb.Vulnerability

// ErrInvalid is the cause of the error for a record that decodes but is not
// usable OSV: no id or one that cannot name a file, no modified time, or an
// affected package without a name or ecosystem.
var ErrInvalid = errors.New("not a valid OSV record")

// MaxIDLength is the longest id accepted: exports store a record as
// <ID>.json, and a file name has at most 255 bytes.
const MaxIDLength = 250

// MaxRecordSize is the largest single advisory read (4 MiB; the largest
// real records, with thousands of listed versions, are a few hundred KiB).
const MaxRecordSize = 4 << 20

var unmarshal = protojson.UnmarshalOptions{DiscardUnknown: true}

// Parse decodes one advisory, JSON or YAML (told apart by the first
// character), and checks it. name is used in errors.
func Parse(data []byte, name string) (*Vulnerability, error) {
	if len(data) > MaxRecordSize {
		return nil, fmt.Errorf("read advisory %s: larger than the %d MiB limit for one advisory", name, MaxRecordSize>>20)
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] != '{' {
		converted, err := yaml.YAMLToJSON(data)
		if err != nil {
			return nil, fmt.Errorf("read advisory %s: %s", name, shorten(err.Error()))
		}
		data = converted
	}
	v := &Vulnerability{}
	if err := unmarshal.Unmarshal(data, v); err != nil {
		return nil, fmt.Errorf("read advisory %s: %v", name, cleanProtoError(err))
	}
	if err := Check(v); err != nil {
		return nil, fmt.Errorf("read advisory %s: %w", name, err)
	}
	return v, nil
}

// cleanProtoError drops protojson's "proto: " prefix and its non-breaking
// spaces, which it adds to keep callers from matching its messages.
func cleanProtoError(err error) string {
	msg := strings.ReplaceAll(err.Error(), "\u00a0", " ")
	return shorten(strings.TrimPrefix(msg, "proto: "))
}

// maxCause bounds the text of a decoder's error: decoders quote the token
// they stopped at, which a hostile record makes megabytes long, and an
// import keeps the reason of every record it skipped.
const maxCause = 200

// shorten cuts msg to maxCause bytes, at a character boundary.
func shorten(msg string) string {
	if len(msg) <= maxCause {
		return msg
	}
	cut := maxCause
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}

// Check reports what makes v unusable: no id, an id that cannot be a file
// name (a path separator, a space or control character, longer than
// MaxIDLength), no modified time, an affected entry whose package has no
// name or ecosystem (and no GIT range, which stands for the package).
func Check(v *Vulnerability) error {
	if err := checkID(v.GetId()); err != nil {
		return err
	}
	if v.GetModified() == nil {
		return fmt.Errorf("%w: %s has no modified time", ErrInvalid, v.GetId())
	}
	for i, a := range v.GetAffected() {
		p := a.GetPackage()
		if p == nil && hasGitRange(a) {
			continue
		}
		if p.GetName() == "" || p.GetEcosystem() == "" {
			return fmt.Errorf("%w: %s: affected[%d] names no package and ecosystem", ErrInvalid, v.GetId(), i)
		}
	}
	return nil
}

// checkID refuses ids that would not survive as the <ID>.json file name an
// export gives a record, or would break a message: OSV ids are short
// ASCII words such as GHSA-jfh8-c2jp-5v3q.
func checkID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: no id", ErrInvalid)
	case len(id) > MaxIDLength:
		return fmt.Errorf("%w: id longer than %d bytes", ErrInvalid, MaxIDLength)
	case strings.ContainsAny(id, `/\`):
		return fmt.Errorf("%w: id %q has a path separator", ErrInvalid, id)
	case strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar }) >= 0:
		return fmt.Errorf("%w: id %q has a space, control character or invalid UTF-8", ErrInvalid, id)
	}
	return nil
}

func hasGitRange(a *osvpb.Affected) bool {
	for _, r := range a.GetRanges() {
		if r.GetType() == osvpb.Range_GIT {
			return true
		}
	}
	return false
}

// IDs returns the advisory's id and its aliases: the names of the one flaw.
func IDs(v *Vulnerability) []string {
	return append([]string{v.GetId()}, v.GetAliases()...)
}
