package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"time"
)

// oidcServer stands in for the runner's OIDC token endpoint
// (ACTIONS_ID_TOKEN_REQUEST_URL) on loopback, for jobs with
// permissions: id-token: write. Its tokens carry the claims a workflow
// reads (job_workflow_ref, job_workflow_sha, repository, ref…) and are not
// signed: nothing here trusts them, and no Sigstore service is asked.
type oidcServer struct {
	URL          string
	RequestToken string
	srv          *http.Server
}

func (r *runner) claims() map[string]any {
	name, kind := r.refName()
	return map[string]any{
		"iss": "https://token.actions.githubusercontent.com", "sub": "repo:" + r.opt.Repository + ":ref:" + r.opt.Ref,
		"repository": r.opt.Repository, "ref": r.opt.Ref, "ref_type": kind, "ref_name": name, "sha": r.sha,
		"event_name": r.opt.Event, "workflow_ref": r.opt.Repository + "/" + r.opt.WorkflowPath + "@" + r.opt.Ref,
		"workflow_sha": r.sha, "job_workflow_ref": r.opt.Repository + "/" + r.opt.WorkflowPath + "@" + r.opt.Ref,
		"job_workflow_sha": r.sha, "runner_environment": "self-hosted",
	}
}

func startOIDC(claims map[string]any) (*oidcServer, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	s := &oidcServer{URL: "http://" + l.Addr().String() + "/token?api-version=2.0", RequestToken: hex.EncodeToString(secret)}
	s.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Authorization") != "bearer "+s.RequestToken && req.Header.Get("Authorization") != "Bearer "+s.RequestToken {
			http.Error(w, "bad request token", http.StatusUnauthorized)
			return
		}
		c := map[string]any{"aud": req.URL.Query().Get("audience"), "iat": time.Now().Unix(), "exp": time.Now().Add(5 * time.Minute).Unix()}
		for k, v := range claims {
			c[k] = v
		}
		header, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
		payload, _ := json.Marshal(c)
		enc := base64.RawURLEncoding
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"value": enc.EncodeToString(header) + "." + enc.EncodeToString(payload) + ".ghrun-unsigned"})
	})}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

func (s *oidcServer) Close() error { return s.srv.Close() }
