package gitlabfake

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// gitlabTime renders timestamps the way the Rails API does: UTC with
// milliseconds, e.g. 2026-01-02T03:04:05.000Z.
func gitlabTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeRawJSON(w, status, b)
}

func writeRawJSON(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeMessage renders GitLab's usual error shape: {"message":"404 Project Not Found"}.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

// writeError renders Grape's validation-error shape: {"error":"ref is missing"}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func notFound(w http.ResponseWriter, what string) {
	writeMessage(w, http.StatusNotFound, "404 "+what+" Not Found")
}

// boolParam parses a Grape Boolean parameter. ok is false for a value Grape
// would reject ("archived is invalid"); set says whether it was given at all.
func boolParam(rq *request, name string) (val, set, ok bool) {
	v := strings.ToLower(rq.q.Get(name))
	if v == "" {
		return false, false, true // Grape coerces a blank Boolean to nil
	}
	switch v {
	case "true", "1", "yes", "t", "y", "on": // dry-types params.bool
		return true, true, true
	case "false", "0", "no", "f", "n", "off":
		return false, true, true
	}
	writeError(rq.w, http.StatusBadRequest, name+" is invalid")
	return false, true, false
}
