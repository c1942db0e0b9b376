package signing

import (
	"time"

	"github.com/sigstore/sigstore-go/pkg/verify"
)

// Result holds the facts a verification established. It is the JSON that
// 'sdlkit verify --format json' prints.
type Result struct {
	// MediaType is the bundle's media type (its version).
	MediaType string `json:"bundleMediaType"`
	// Content is "messageSignature" or "dsseEnvelope".
	Content string `json:"content"`
	// SignedWith is "key" or "certificate".
	SignedWith string `json:"signedWith"`
	// Identity and Issuer come from a verified Fulcio certificate.
	Identity string `json:"identity,omitempty"`
	Issuer   string `json:"issuer,omitempty"`
	// CertificateIssuer is the CA that issued the signing certificate.
	CertificateIssuer string `json:"certificateIssuer,omitempty"`
	// SourceRepository and friends are set for certificates issued to CI
	// workflows (GitHub Actions).
	SourceRepository string `json:"sourceRepository,omitempty"`
	SourceRef        string `json:"sourceRef,omitempty"`
	// Tlog lists the verified transparency log entries.
	Tlog []LogEntry `json:"tlog,omitempty"`
	// Timestamps are the verified times the signature is known to exist.
	Timestamps []Timestamp `json:"timestamps,omitempty"`
	// PredicateType and Subjects are set for attestations.
	PredicateType string    `json:"predicateType,omitempty"`
	Subjects      []Subject `json:"subjects,omitempty"`
}

// LogEntry is one verified transparency log entry.
type LogEntry struct {
	LogIndex       int64     `json:"logIndex"`
	LogID          string    `json:"logId"`
	IntegratedTime time.Time `json:"integratedTime,omitzero"`
}

// Timestamp is one verified time: from a log ("Tlog") or a timestamp
// authority ("TimestampAuthority").
type Timestamp struct {
	Source string    `json:"source"`
	URI    string    `json:"uri,omitempty"`
	Time   time.Time `json:"time"`
}

func newResult(e verify.SignedEntity, mediaType string, vr *verify.VerificationResult) *Result {
	r := &Result{MediaType: mediaType, Content: "messageSignature", SignedWith: "key"}
	if sc, err := e.SignatureContent(); err == nil && sc.EnvelopeContent() != nil {
		r.Content = "dsseEnvelope"
	}
	if vr.Signature != nil && vr.Signature.Certificate != nil {
		c := vr.Signature.Certificate
		r.SignedWith = "certificate"
		r.Identity = c.SubjectAlternativeName
		r.Issuer = c.Issuer
		r.CertificateIssuer = c.CertificateIssuer
		r.SourceRepository = c.SourceRepositoryURI
		r.SourceRef = c.SourceRepositoryRef
	}
	if entries, err := e.TlogEntries(); err == nil {
		for _, e := range entries {
			le := LogEntry{LogIndex: e.LogIndex(), LogID: e.LogKeyID()}
			if t := e.IntegratedTime(); t.Unix() > 0 {
				le.IntegratedTime = t.UTC()
			}
			r.Tlog = append(r.Tlog, le)
		}
	}
	for _, ts := range vr.VerifiedTimestamps {
		r.Timestamps = append(r.Timestamps, Timestamp{Source: ts.Type, URI: ts.URI, Time: ts.Timestamp.UTC()})
	}
	if st := vr.Statement; st != nil {
		r.PredicateType = st.GetPredicateType()
		for _, s := range st.GetSubject() {
			r.Subjects = append(r.Subjects, Subject{Name: s.GetName(), Digests: s.GetDigest()})
		}
	}
	return r
}
