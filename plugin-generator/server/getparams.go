package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vibe-coder-biz/idp/plugin-generator/catalog"
)

// maxRequestBytes bounds a getparams body; Argo CD sends a few hundred bytes.
const maxRequestBytes = 1 << 20

// getParamsRequest is Argo CD's plugin generator request.
type getParamsRequest struct {
	ApplicationSetName string `json:"applicationSetName"`
	Input              struct {
		Parameters map[string]any `json:"parameters"`
	} `json:"input"`
}

// getParams answers Argo CD. It never answers 200 with anything but the last
// complete scan: an empty or short list makes Argo CD delete Applications,
// an error makes it change nothing.
func (s *Server) getParams(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Token.Equal(bearer(r)) {
		http.Error(w, "missing or wrong bearer token", http.StatusUnauthorized)
		return
	}
	var req getParamsRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, maxRequestBytes))
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	snap, err := s.snapshot(r)
	if err != nil {
		s.cfg.Log.Warn("getparams refused", "applicationSet", req.ApplicationSetName, "err", err)
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	answer, err := snap.Answer(req.Input.Parameters)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Add("Vary", "Accept-Encoding")
	body := answer.JSON
	if acceptsGzip(r) {
		w.Header().Set("Content-Encoding", "gzip")
		body = answer.Gzip
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// snapshot returns a complete, fresh-enough scan, waiting for the first.
func (s *Server) snapshot(r *http.Request) (*catalog.Snapshot, error) {
	select {
	case <-s.cfg.Store.Ready():
	case <-time.After(s.cfg.FirstScanWait):
	case <-r.Context().Done():
	}
	snap, lastErr := s.cfg.Store.Current()
	if snap == nil {
		return nil, fmt.Errorf("no complete scan of the app source yet (last error: %v); Argo CD keeps its Applications and retries", lastErr)
	}
	if age := time.Since(snap.ScannedAt); s.cfg.MaxStaleness > 0 && age > s.cfg.MaxStaleness {
		return nil, fmt.Errorf("last complete scan is %s old, over the %s limit (last error: %v); Argo CD keeps its Applications and retries", age.Round(time.Second), s.cfg.MaxStaleness, lastErr)
	}
	return snap, nil
}

func (s *Server) problems(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.Token.Equal(bearer(r)) {
		http.Error(w, "missing or wrong bearer token", http.StatusUnauthorized)
		return
	}
	snap, _ := s.cfg.Store.Current()
	problems := []catalog.Problem{}
	if snap != nil {
		problems = append(problems, snap.Problems...)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(problems)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if enc, _, _ := strings.Cut(strings.TrimSpace(part), ";"); enc == "gzip" {
			return true
		}
	}
	return false
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}
