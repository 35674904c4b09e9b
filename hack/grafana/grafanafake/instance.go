package grafanafake

import "net/http"

// The operator checks an external instance with two calls that Grafana's
// OpenAPI description leaves out; their shapes are those of Grafana's
// handlers (LoginAPIPing and GetFrontendSettings), of which the operator
// reads message and buildInfo.version.

func (s *Server) loginPing(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"message": "Logged in"})
}

func (s *Server) frontendSettings(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"buildInfo": map[string]any{"version": Version, "edition": "Open Source", "env": "production"},
	})
}
