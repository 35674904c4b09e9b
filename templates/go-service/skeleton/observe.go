package main

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// observe counts and times every request that next serves, logs it, and
// answers a panic with a logged 500 (counted as an error) instead of a
// dropped connection. next must be a ServeMux: its pattern names the route.
func observe(m *metrics, logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if err := recover(); err != nil {
				if err == http.ErrAbortHandler {
					panic(err)
				}
				logger.Error("unhandled error", "err", err, "path", r.URL.Path)
				if !rec.wroteHeader {
					writeJSON(rec, http.StatusInternalServerError, map[string]string{"error": "internal error"})
				} else {
					rec.status = http.StatusInternalServerError
				}
			}
			labels := prometheus.Labels{
				"method": methodLabel(r.Method),
				"route":  routeLabel(r.Pattern),
				"status": strconv.Itoa(rec.status),
			}
			m.duration.With(labels).Observe(time.Since(start).Seconds())
			m.requests.With(labels).Inc()
			if rec.status >= 500 {
				m.errors.With(labels).Inc()
			}
			logger.Info("request", "method", labels["method"], "route", labels["route"],
				"status", rec.status, "path", r.URL.Path, "duration_seconds", time.Since(start).Seconds())
		}()
		next.ServeHTTP(rec, r)
	})
}

// routeLabel is the ServeMux pattern that matched, without its method, never
// the raw URL, so that metrics keep a bounded number of series:
// "GET /items/{id}" is "/items/{id}", "GET /{$}" is "/", and the catch-all
// "/" (or no match) is "unmatched".
func routeLabel(pattern string) string {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		pattern = path
	}
	if pattern == "" || pattern == "/" {
		return "unmatched"
	}
	return strings.TrimSuffix(pattern, "{$}")
}

// methodLabel keeps the label bounded: net/http accepts any token as a
// method, so unknown ones are counted together, as OpenTelemetry's
// semantic conventions do.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return method
	}
	return "_OTHER"
}

// statusRecorder remembers the status code a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (Flush, deadlines).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
