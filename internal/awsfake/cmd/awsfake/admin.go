package main

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/vibe-coder-biz/idp/internal/awsfake"
)

// maxValue bounds a PUT body: Secrets Manager values are at most 64 KiB.
const maxValue = 64 << 10

// newAdmin is the admin API documented in the package comment.
func newAdmin(f *awsfake.Fake, reload func() error) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /_fake/secrets/{name...}", withName(func(w http.ResponseWriter, r *http.Request, name string) {
		b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxValue))
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		if r.URL.Query().Get("binary") == "true" {
			reply(w, f.PutSecretBinary(name, b))
			return
		}
		reply(w, f.PutSecret(name, string(b)))
	}))
	mux.HandleFunc("POST /_fake/secrets/{name...}", withName(func(w http.ResponseWriter, _ *http.Request, name string) {
		reply(w, map[string]string{"ARN": f.CreateSecret(name), "Name": name})
	}))
	mux.HandleFunc("DELETE /_fake/secrets/{name...}", withName(func(w http.ResponseWriter, r *http.Request, name string) {
		if r.URL.Query().Get("recovery") == "true" {
			found(w, f.ScheduleSecretDeletion(name))
			return
		}
		found(w, f.DeleteSecret(name))
	}))
	mux.HandleFunc("GET /_fake/secrets", func(w http.ResponseWriter, _ *http.Request) { reply(w, f.Secrets()) })
	mux.HandleFunc("GET /_fake/secrets/{name...}", withName(func(w http.ResponseWriter, _ *http.Request, name string) {
		s, ok := f.Secret(name)
		if !ok {
			found(w, false)
			return
		}
		reply(w, s)
	}))
	mux.HandleFunc("POST /_fake/restore/{name...}", withName(func(w http.ResponseWriter, _ *http.Request, name string) {
		found(w, f.RestoreSecret(name))
	}))
	mux.HandleFunc("PUT /_fake/tags/{name...}", withName(func(w http.ResponseWriter, r *http.Request, name string) {
		var tags map[string]string
		if decode(w, r, &tags) {
			found(w, f.TagSecret(name, tags))
		}
	}))
	addControl(mux, f, reload)
	return mux
}

// addControl adds the routes that steer the fake rather than its secrets.
func addControl(mux *http.ServeMux, f *awsfake.Fake, reload func() error) {
	mux.HandleFunc("POST /_fake/faults", func(w http.ResponseWriter, r *http.Request) {
		var fault awsfake.Fault
		if decode(w, r, &fault) {
			f.Inject(fault)
			w.WriteHeader(http.StatusNoContent)
		}
	})
	mux.HandleFunc("DELETE /_fake/faults", noContent(f.ClearFaults))
	mux.HandleFunc("PUT /_fake/rate-limit", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Service, Period string
			Limit           int
		}
		if !decode(w, r, &in) {
			return
		}
		period, err := time.ParseDuration(in.Period)
		if in.Period != "" && err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.SetRateLimit(in.Service, in.Limit, period)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_fake/requests", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, map[string]any{"total": f.TotalRequests(), "by_operation": f.Requests(), "unmatched": f.UnmatchedRequests()})
	})
	mux.HandleFunc("DELETE /_fake/requests", noContent(f.ResetCounts))
	mux.HandleFunc("GET /_fake/sessions", func(w http.ResponseWriter, _ *http.Request) { reply(w, f.Sessions()) })
	mux.HandleFunc("POST /_fake/sessions/expire", noContent(f.ExpireSessions))
	mux.HandleFunc("POST /_fake/reload", func(w http.ResponseWriter, _ *http.Request) {
		if err := reload(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func withName(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if name == "" {
			http.Error(w, "secret name required", http.StatusBadRequest)
			return
		}
		h(w, r, name)
	}
}

func noContent(fn func()) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		fn()
		w.WriteHeader(http.StatusNoContent)
	}
}

func found(w http.ResponseWriter, ok bool) {
	if !ok {
		http.Error(w, "no such secret", http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
