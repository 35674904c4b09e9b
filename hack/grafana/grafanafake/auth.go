package grafanafake

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// authenticated lets through requests whose Authorization header is
// "Bearer <token>", as Grafana authenticates a service account token; any
// other request gets Grafana's 401 and its JSON error body.
func (s *Server) authenticated(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		given, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(given), []byte(s.token)) != 1 {
			writeError(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		next(w, r)
	})
}
