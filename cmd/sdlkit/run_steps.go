package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/internal/textsafe"
	"github.com/sdlkit/sdlkit/policies"
	"github.com/sdlkit/sdlkit/practices/ledger"
	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/cyclonedx"
	"github.com/sdlkit/sdlkit/sbom/generate"
	"github.com/sdlkit/sdlkit/sbom/validate"
	"github.com/sdlkit/sdlkit/signing"
	"github.com/sdlkit/sdlkit/signing/release"
	"github.com/sdlkit/sdlkit/vulnmgmt/advisories"
	"github.com/sdlkit/sdlkit/vulnmgmt/report"
	"github.com/sdlkit/sdlkit/vulnmgmt/scan"
	"github.com/sdlkit/sdlkit/vulnmgmt/vex"
)

// ScanPredicateType is the predicate type of a scan attestation: the
// sdlkit scan result's own schema.
const scanPredicateType = "https://sdlkit.dev/scan-result/v1"

// runState is what the steps hand on to each other.
type runState struct {
	store    *advisories.Store
	bom      *sbom.BOM
	sbom     *piece
	sbomData []byte
	scan     *scan.Result
	scanPc   *piece
	vex      []*piece
	bundles  map[string][]byte
	policy   *policies.Policy
	decision *policies.Decision
	manifest *piece
	records  []ledger.Record
	cp       *ledger.SealedCheckpoint
}

// run runs the steps in order and stops at the first that fails.
func (r *runner) run(ctx context.Context) (err error) {
	st := &runState{bundles: map[string][]byte{}, policy: r.p.policy}
	// The artifacts are hashed and the key loaded (its password checked)
	// before anything is made.
	if err := r.step(ctx, "prepare", r.prepare); err != nil {
		return err
	}
	current := "start"
	defer func() {
		if err != nil {
			r.abandonStage(current, err)
		}
		if st.store != nil {
			st.store.Close()
		}
	}()
	steps := []struct {
		name string
		fn   func(context.Context, *runState, *stepReport) error
	}{
		{"advisories", r.stepAdvisories},
		{"sbom", r.stepSBOM},
		{"scan", r.stepScan},
		{"sign", r.stepSign},
		{"attest", r.stepAttest},
		{"policy", r.stepPolicy},
		{"release", r.stepRelease},
		{"record", r.stepRecord},
	}
	for _, s := range steps {
		current = s.name
		if err := r.step(ctx, s.name, func(ctx context.Context, rep *stepReport) error { return s.fn(ctx, st, rep) }); err != nil {
			return err
		}
	}
	current = "index"
	idx, err := r.writeIndex(st)
	if err != nil {
		return err
	}
	if err := r.publishStage(); err != nil {
		return err
	}
	return r.report(st, idx)
}

// prepare hashes the artifacts and loads the signer.
func (r *runner) prepare(ctx context.Context, rep *stepReport) error {
	if err := r.hashArtifacts(ctx); err != nil {
		return err
	}
	s, err := r.p.sign.signer(ctx, r.a)
	if err != nil {
		return err
	}
	r.signer = s
	var size int64
	for _, a := range r.arts {
		size += a.size
	}
	rep.Detail = fmt.Sprintf("%s, %s, signing with a %s", plural(len(r.arts), "artifact"), readlimit.FormatSize(size), signedWith(s))
	return nil
}

// plural writes n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// hashArtifacts hashes each artifact once and refuses two of one name:
// their bundles would collide in the evidence folder.
func (r *runner) hashArtifacts(ctx context.Context) error {
	seen := map[string]string{}
	for _, p := range r.p.artifacts {
		name := filepath.Base(p)
		if prev, ok := seen[name]; ok {
			return inputError(fmt.Errorf("artifacts %q and %q have one name: their evidence would collide", textsafe.Escape(prev), textsafe.Escape(p)), "rename one, or release them in two runs")
		}
		seen[name] = p
		d, err := signing.DigestFile(ctx, p)
		if err != nil {
			return inputError(err)
		}
		fi, err := os.Stat(p)
		if err != nil {
			return inputError(err)
		}
		r.arts = append(r.arts, runArtifact{path: p, name: name, digest: d, size: fi.Size()})
	}
	return nil
}

// artifactKeys are the artifacts' names and digests, for run keys.
func (r *runner) artifactKeys() string {
	var b strings.Builder
	for _, a := range r.arts {
		fmt.Fprintf(&b, "%s=%s;", a.name, a.digest)
	}
	return b.String()
}

func (r *runner) stepAdvisories(ctx context.Context, st *runState, rep *stepReport) error {
	dir, err := r.p.db.resolve(r.a)
	if err != nil {
		return err
	}
	adv := r.p.cfg.Advisories
	if len(adv.Fetch) > 0 {
		if err := runAdvisoriesFetch(ctx, r.a, dbOptions{dir: dir}, "", adv.Fetch); err != nil {
			return err
		}
	}
	if len(adv.Import) > 0 {
		sources, err := importSourceList(ctx, snapshotPolicy{key: adv.SnapshotKey}, adv.Import)
		if err != nil {
			return err
		}
		defer limitImportMemory(r.a)()
		if _, err := advisories.Import(ctx, dir, sources, advisories.ImportOptions{}); err != nil {
			if errors.Is(err, context.Canceled) {
				return err
			}
			return inputError(err)
		}
	}
	st.store, err = (&dbOptions{dir: dir}).open(r.a)
	if err != nil {
		return err
	}
	info := st.store.Info()
	rep.Detail = fmt.Sprintf("%d advisories, newest %s", info.Records, info.Newest.Format("2006-01-02"))
	if max := adv.MaxAge; max > 0 {
		if age := time.Since(info.Newest); age > max {
			return checkFailed(fmt.Errorf("the advisory store %s is stale: its newest advisory is from %s, older than max_age %s", textsafe.Escape(dir), info.Newest.Format("2006-01-02"), formatAge(max)),
				"update it: sdlkit advisories fetch, or import a newer export or snapshot; --max-age off skips the check")
		}
	}
	return nil
}

func (r *runner) stepSBOM(ctx context.Context, st *runState, rep *stepReport) error {
	ts, err := sourceDateEpoch(r.a.getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return err
	}
	b, err := generate.SBOM(ctx, r.p.cfg.Source, generate.Options{
		Name: r.product(), Version: r.p.version, Supplier: r.p.cfg.Supplier, Artifacts: r.p.artifacts, ArtifactBaseNames: true,
		Tool: sbom.Tool{Vendor: "sdlkit", Name: "sdlkit", Version: readBuildVersion().Version}, Timestamp: ts,
		GoModuleCache: generate.DefaultGoModuleCache(r.a.getenv),
	})
	if err != nil {
		return inputError(err)
	}
	var buf bytes.Buffer
	if err := cyclonedx.Encode(&buf, b, cyclonedx.EncodeOptions{}); err != nil {
		return err
	}
	data := buf.Bytes()
	d := signing.DigestBytes(data)
	pc, err := r.produce(ctx, "sbom", runKey("sbom", d.String()), "", func() (*piece, error) {
		ev := sbomEvidence(b, "cyclonedx-json", data)
		return &piece{producer: "sdlkit run", summary: ev.summary, facts: ev.facts,
			subject: &ledger.Subject{Name: "sbom.cdx.json", Digest: d.String()},
			files:   []pieceFile{{name: "sbom.cdx.json", data: data}}}, nil
	})
	if err != nil {
		return err
	}
	st.bom, st.sbom, st.sbomData = b, pc, data
	rep.Detail = fmt.Sprintf("%d components", len(b.Components))
	return nil
}

func (r *runner) stepScan(ctx context.Context, st *runState, rep *stepReport) error {
	var statements [][]vex.Statement
	keys := []string{st.sbom.subject.Digest, st.store.Info().Digest}
	for _, v := range r.p.vex {
		statements = append(statements, v.statements)
		keys = append(keys, v.digest.String())
		pc, err := r.produce(ctx, "vex", runKey("vex", v.digest.String()), "vex", func() (*piece, error) {
			return &piece{producer: "sdlkit run", summary: fmt.Sprintf("VEX %s: %s applied to the scan", v.name, plural(len(v.statements), "statement")),
				subject: &ledger.Subject{Name: v.name, Digest: v.digest.String()}, facts: map[string]string{"statements": strconv.Itoa(len(v.statements))},
				files: []pieceFile{{name: v.name, data: v.data}}}, nil
		})
		if err != nil {
			return err
		}
		st.vex = append(st.vex, pc)
	}
	pc, err := r.produce(ctx, "vuln-scan", runKey("vuln-scan", keys...), "", func() (*piece, error) {
		res, err := scan.Scan(ctx, st.bom, st.store, scan.Options{
			Source: "sbom.cdx.json", VEX: vex.NewDecider(statements...), VEXFiles: r.p.cfg.VEX,
			Tool: scan.Tool{Name: "sdlkit", Version: readBuildVersion().Version}, Now: scanTime(r.a),
		})
		if err != nil {
			return nil, inputError(err)
		}
		ev, err := scanEvidence(st.bom, res)
		if err != nil {
			return nil, err
		}
		return &piece{producer: "sdlkit run", summary: ev.summary, facts: ev.facts,
			subject: &ledger.Subject{Name: "sbom.cdx.json", Digest: st.sbom.subject.Digest},
			files:   []pieceFile{{name: "scan.json", data: ev.blobs[0].Data}}}, nil
	})
	if err != nil {
		return err
	}
	data, _ := pc.file("scan.json")
	res, err := parseScanResult(data, "scan.json")
	if err != nil {
		return err
	}
	st.scan, st.scanPc = res, pc
	for _, render := range []struct {
		name string
		fn   func(*bytes.Buffer) error
	}{
		{"scan.sarif", func(b *bytes.Buffer) error { return report.SARIF(b, res) }},
		{"scan.md", func(b *bytes.Buffer) error { return report.Markdown(b, res) }},
	} {
		var buf bytes.Buffer
		if err := render.fn(&buf); err != nil {
			return err
		}
		if err := r.write(filepath.ToSlash(filepath.Join(releaseDir, render.name)), buf.Bytes()); err != nil {
			return err
		}
	}
	s := res.Summary
	rep.Detail = fmt.Sprintf("%d critical, %d high, %d medium, %d low, %d suppressed", s.Critical, s.High, s.Medium, s.Low, s.Suppressed)
	return nil
}

// parseScanResult decodes a scan result the run made or reads back.
func parseScanResult(data []byte, name string) (*scan.Result, error) {
	var res scan.Result
	if err := json.Unmarshal(data, &res); err != nil || !strings.HasPrefix(res.Schema, "https://sdlkit.dev/scan-result/") {
		return nil, inputError(fmt.Errorf("read scan result %q: not an sdlkit scan result", name))
	}
	return &res, nil
}

// signerID names the signer in run keys: the public key's digest, or
// "keyless" (each keyless run has a new key; its identity is the
// workflow's).
func (r *runner) signerID() (string, error) {
	if r.signer.Keyless() {
		return "keyless", nil
	}
	pem, err := r.signer.PublicKeyPEM()
	if err != nil {
		return "", err
	}
	return signing.DigestBytes(pem).String(), nil
}

func (r *runner) stepSign(ctx context.Context, st *runState, rep *stepReport) error {
	s := r.signer
	id, err := r.signerID()
	if err != nil {
		return err
	}
	for _, art := range r.arts {
		name := art.name + bundleSuffix
		pc, err := r.produce(ctx, "signature", runKey("signature", art.digest.String(), id), "signatures", func() (*piece, error) {
			b, err := s.SignDigest(ctx, art.digest, r.p.sign.signOptions())
			if err != nil {
				return nil, inputError(fmt.Errorf("sign %q: %w", textsafe.Escape(art.path), err))
			}
			data, err := b.Encode()
			if err != nil {
				return nil, err
			}
			ev := signatureEvidence("signature", "sdlkit run", s, art.path, art.digest, data)
			return &piece{producer: ev.producer, summary: ev.summary, subject: ev.subject, facts: ev.facts, files: []pieceFile{{name: name, data: data}}}, nil
		})
		if err != nil {
			return err
		}
		st.bundles["signatures/"+name], _ = pc.file(name)
	}
	rep.Detail = plural(len(r.arts), "signature")
	return nil
}

func (r *runner) stepAttest(ctx context.Context, st *runState, rep *stepReport) error {
	id, err := r.signerID()
	if err != nil {
		return err
	}
	subjects := make([]signing.Subject, len(r.arts))
	for i, a := range r.arts {
		subjects[i] = signing.SubjectFor(a.name, a.digest)
	}
	prov, err := r.provenance(st)
	if err != nil {
		return err
	}
	provPc, err := r.produce(ctx, "provenance", runKey("provenance", r.artifactKeys(), r.p.commit, signing.DigestBytes(r.p.configData).String(), r.builderID()), "", func() (*piece, error) {
		return &piece{producer: "sdlkit run", summary: fmt.Sprintf("SLSA v1 provenance of %s of %s %s, built from %s", plural(len(r.arts), "artifact"), r.product(), r.p.version, orUnknown(r.p.commit)),
			subject: &ledger.Subject{Name: "provenance.json", Digest: signing.DigestBytes(prov).String()},
			facts:   map[string]string{"builder": r.builderID(), "commit": r.p.commit},
			files:   []pieceFile{{name: "provenance.json", data: prov}}}, nil
	})
	if err != nil {
		return err
	}
	provData, _ := provPc.file("provenance.json")
	type attestation struct {
		name, predicateType string
		predicate           []byte
	}
	scanData, _ := st.scanPc.file("scan.json")
	atts := []attestation{
		{"sbom", signing.PredicateTypes["cyclonedx"], st.sbomData},
		{"scan", scanPredicateType, scanData},
		{"provenance", signing.ProvenanceType, provData},
	}
	for _, v := range st.vex {
		data := v.files[0].data
		atts = append(atts, attestation{"vex-" + strings.TrimSuffix(v.files[0].name, ".json"), vexPredicateType(data), data})
	}
	for _, at := range atts {
		name := at.name + ".intoto" + bundleSuffix
		pd := signing.DigestBytes(at.predicate)
		pc, err := r.produce(ctx, "attestation", runKey("attestation", at.predicateType, pd.String(), r.artifactKeys(), id), "attestations", func() (*piece, error) {
			b, err := r.signer.Attest(ctx, subjects, at.predicateType, at.predicate, r.p.sign.signOptions())
			if err != nil {
				return nil, inputError(fmt.Errorf("attest %s: %w", at.name, err))
			}
			data, err := b.Encode()
			if err != nil {
				return nil, err
			}
			return &piece{producer: "sdlkit run", summary: fmt.Sprintf("attestation of the %s (%s) to %s", at.name, at.predicateType, plural(len(r.arts), "artifact")),
				subject: &ledger.Subject{Name: at.name, Digest: pd.String()},
				facts:   map[string]string{"predicate_type": at.predicateType, "signed_with": signedWith(r.signer), "subjects": strconv.Itoa(len(r.arts))},
				files:   []pieceFile{{name: name, data: data}}}, nil
		})
		if err != nil {
			return err
		}
		st.bundles["attestations/"+name], _ = pc.file(name)
	}
	rep.Detail = plural(len(atts), "attestation")
	return nil
}

func signedWith(s *signing.Signer) string {
	if s.Keyless() {
		return "keyless certificate"
	}
	return "key"
}

// vexPredicateType is OpenVEX's for OpenVEX files, else the CycloneDX or
// CSAF document type the file is.
func vexPredicateType(data []byte) string {
	switch {
	case bytes.Contains(data, []byte(`"bomFormat"`)):
		return signing.PredicateTypes["cyclonedx"]
	case bytes.Contains(data, []byte(`"csaf_version"`)):
		return "https://docs.oasis-open.org/csaf/csaf/v2.0"
	}
	return signing.PredicateTypes["openvex"]
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown commit"
	}
	return s
}

func (r *runner) stepPolicy(ctx context.Context, st *runState, rep *stepReport) error {
	rep2, err := validate.Document(st.sbomData, "sbom.cdx.json")
	if err != nil {
		return inputError(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	in := policies.Input{
		Release: policies.Release{Product: r.product(), Version: r.p.version},
		SBOM:    policies.SBOMFacts(st.bom, rep2),
		Scan:    policies.ScanFacts(st.scan, now),
	}
	if in.Artifacts, err = r.artifactFacts(ctx, st); err != nil {
		return err
	}
	if in.Ledger, err = r.ledgerFacts(ctx, now); err != nil {
		return err
	}
	d, err := st.policy.Evaluate(ctx, in, now)
	var ee *policies.EvalError
	if errors.As(err, &ee) {
		return inputError(err)
	}
	if err != nil {
		return err
	}
	st.decision = d
	var js, md bytes.Buffer
	if err := printDecision(&js, "json", d); err != nil {
		return err
	}
	if err := printDecision(&md, "markdown", d); err != nil {
		return err
	}
	var outcomes []string
	for _, res := range d.Results {
		outcomes = append(outcomes, res.Rule+"="+res.Outcome)
	}
	key := runKey("gate-decision", st.policy.Digest, st.sbom.key, st.scanPc.key, r.artifactKeys(), strings.Join(outcomes, ","))
	verdict := "allowed"
	if !d.Allowed {
		verdict = "denied"
	}
	_, err = r.produce(ctx, "gate-decision", key, "", func() (*piece, error) {
		return &piece{producer: "sdlkit run",
			summary: fmt.Sprintf("policy %s: release %s (%d passed, %d warned, %d denied)", st.policy.Name, verdict, d.Passed, d.Warned, d.Denied),
			subject: &ledger.Subject{Name: "policy " + st.policy.Name, Digest: st.policy.Digest},
			facts:   map[string]string{"policy": st.policy.Name, "allowed": strconv.FormatBool(d.Allowed), "denied": strconv.Itoa(d.Denied), "warned": strconv.Itoa(d.Warned)},
			files:   []pieceFile{{name: "decision.json", data: js.Bytes()}, {name: "decision.md", data: md.Bytes()}}}, nil
	})
	if err != nil {
		return err
	}
	rep.Detail = fmt.Sprintf("%s: %s (%d passed, %d warned, %d denied)", st.policy.Name, verdict, d.Passed, d.Warned, d.Denied)
	if !d.Allowed {
		var denied []string
		for _, res := range d.Results {
			if res.Outcome == policies.Deny {
				denied = append(denied, res.Rule)
			}
		}
		return checkFailed(fmt.Errorf("policy %s denies release %s %s: %s", st.policy.Name, textsafe.Escape(r.product()), textsafe.Escape(r.p.version), strings.Join(denied, ", ")),
			"see "+filepath.Join(r.p.cfg.Evidence+".incomplete", releaseDir, "decision.md"))
	}
	return nil
}

// artifactFacts verifies each bundle the run made against the artifacts,
// with the signer's own public key, or, keyless, the Sigstore trusted root:
// the gate sees signatures that verify, not signatures that were asked for.
func (r *runner) artifactFacts(ctx context.Context, st *runState) ([]policies.Artifact, error) {
	pol := signing.Policy{PublicKey: r.signer.PublicKey()}
	if r.signer.Keyless() {
		pol = signing.Policy{Identity: &signing.Identity{SANRegexp: ".+", IssuerRegexp: ".+"}}
	}
	arts := make([]policies.Artifact, len(r.arts))
	digests := make([]signing.Digest, len(r.arts))
	for i, a := range r.arts {
		arts[i] = policies.Artifact{Name: a.name, Digest: a.digest.String(), Attestations: []string{}}
		digests[i] = a.digest
	}
	names := slices.Sorted(mapKeys(st.bundles))
	for _, name := range names {
		b, err := signing.ReadBundle(name, st.bundles[name])
		if err != nil {
			return nil, inputError(err)
		}
		if pol.TrustedRoot == nil && (pol.Identity != nil || signing.NeedsTrustedRoot(b)) {
			tr, err := signing.FetchTrustedRoot("")
			if err != nil {
				return nil, inputError(fmt.Errorf("verify %s: %w", name, err))
			}
			pol.TrustedRoot = tr
		}
		applyBundle(arts, digests, b, pol)
	}
	return arts, nil
}

// ledgerFacts is the ledger's status for the release, with this run's
// pieces counted as recorded: the gate judges the release as it will be
// once the run records it (in a ledger the run creates, when there is
// none yet).
func (r *runner) ledgerFacts(ctx context.Context, now time.Time) (policies.Ledger, error) {
	var pending []ledger.Summary
	for _, pc := range r.pieces {
		if pc.reused != nil {
			continue
		}
		pending = append(pending, ledger.Summary{ID: "pending", Time: now, Product: r.product(), Version: r.p.version,
			Kind: pc.kind, Requirements: requirementsFor(r.catalog, pc.kind)})
	}
	// The decision being made is recorded whatever it is: it counts.
	pending = append(pending, ledger.Summary{ID: "pending", Time: now, Product: r.product(), Version: r.p.version,
		Kind: "gate-decision", Requirements: requirementsFor(r.catalog, "gate-decision")})
	opts := ledger.StatusOptions{Product: r.product(), Version: r.p.version, Now: now, Pending: pending}
	var st *ledger.Status
	var err error
	if r.l == nil {
		st, err = ledger.PlannedStatus(r.catalog, r.product(), opts)
	} else {
		st, err = r.l.Status(ctx, opts)
	}
	if err != nil {
		return policies.Ledger{}, ledgerError(err)
	}
	return policies.LedgerFacts(st, r.catalog), nil
}

func (r *runner) stepRelease(ctx context.Context, st *runState, rep *stepReport) error {
	dir := filepath.Join(r.stage, releaseDir)
	m, err := release.Build(ctx, dir, release.Options{})
	if err != nil {
		return releaseSignError(err)
	}
	data, err := m.Marshal()
	if err != nil {
		return err
	}
	d := signing.DigestBytes(data)
	id, err := r.signerID()
	if err != nil {
		return err
	}
	pc, err := r.produce(ctx, "release-manifest", runKey("release-manifest", d.String(), id), "", func() (*piece, error) {
		b, err := r.signer.SignDigest(ctx, d, r.p.sign.signOptions())
		if err != nil {
			return nil, inputError(fmt.Errorf("sign release manifest: %w", err))
		}
		bundle, err := b.Encode()
		if err != nil {
			return nil, err
		}
		var size int64
		for _, f := range m.Files {
			size += f.Size
		}
		ev := signatureEvidence("release-manifest", "sdlkit run", r.signer, release.DefaultName, d, bundle)
		ev.facts["files"] = strconv.Itoa(len(m.Files))
		return &piece{producer: ev.producer, subject: ev.subject, facts: ev.facts,
			summary: fmt.Sprintf("release manifest of %s %s: %d evidence files, %d bytes, %s", r.product(), r.p.version, len(m.Files), size, d),
			files:   []pieceFile{{name: release.DefaultName, data: data}, {name: release.DefaultName + release.BundleSuffix, data: bundle}}}, nil
	})
	if err != nil {
		return err
	}
	st.manifest = pc
	rep.Detail = fmt.Sprintf("%d files, %s", len(m.Files), d)
	return nil
}

// stepRecord writes every new piece into the ledger in one batch (one
// commit each, one branch update), creating the ledger when there is
// none, and checkpoints the head when it moved.
func (r *runner) stepRecord(ctx context.Context, st *runState, rep *stepReport) error {
	s := r.p.sign
	if r.l == nil {
		signer, err := r.p.ledger.commitSigner(ctx, r.a, nil)
		if err != nil {
			return err
		}
		l, err := ledger.Init(ctx, r.p.ledger.location(r.a), r.catalog, ledger.InitOptions{Product: r.product(), Actor: r.a.actor(nil), Time: recordTime(r.a)}, signer)
		if err != nil {
			return ledgerError(err)
		}
		r.l = l
		r.a.infof("created ledger on branch %s of %s", l.Branch(), textsafe.Escape(l.GitDir()))
	}
	var entries []ledger.Entry
	var fresh []*piece
	for _, pc := range r.pieces {
		if pc.reused != nil {
			pc.record = pc.reused
			continue
		}
		facts := map[string]string{"run.key": pc.key}
		for k, v := range pc.facts {
			facts[k] = v
		}
		var blobs []ledger.Blob
		for _, f := range pc.files {
			blobs = append(blobs, ledger.Blob{Name: f.name, Data: f.data})
		}
		entries = append(entries, ledger.Entry{
			Record: ledger.Record{Time: recordTime(r.a), Actor: r.a.actor(r.l), Product: r.product(), Version: r.p.version,
				Requirements: requirementsFor(r.catalog, pc.kind), Kind: pc.kind, Subject: pc.subject, Summary: pc.summary,
				Producer: pc.producer, Facts: facts},
			Blobs: blobs,
		})
		fresh = append(fresh, pc)
	}
	w, err := r.p.ledger.writer(ctx, r.a, r.l)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		recs, err := w.Append(ctx, entries)
		if err != nil {
			return ledgerError(err)
		}
		for i := range recs {
			fresh[i].record = &recs[i]
		}
		st.records = recs
	}
	done, err := r.l.HeadCheckpointed()
	if err != nil {
		return ledgerError(err)
	}
	var cp *ledger.SealedCheckpoint
	if done {
		cp, err = r.l.LatestCheckpoint()
	} else {
		cp, err = w.Checkpoint(ctx, sigstoreSealer{signer: r.signer, opts: s.signOptions()})
	}
	if err != nil {
		return ledgerError(err)
	}
	st.cp = cp
	if err := r.write("checkpoint.sigstore.json", cp.Bundle); err != nil {
		return err
	}
	rep.Detail = fmt.Sprintf("%s, %d already in the ledger; checkpoint %d", plural(len(entries), "new record"), len(r.pieces)-len(entries), cp.Checkpoint.Seq)
	return nil
}

// formatAge writes a duration as the days or hours it was given in.
func formatAge(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}
