package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
)

// serviceName is the service's name in the catalog, in logs and answers.
const serviceName = "${{ values.name }}"

// healthPath is app.yaml's spec.health.path (the platform's default): the
// kubelet probes and the load balancer's health checks call it.
const healthPath = "/health"

// appHandler is what the platform routes to the internet (PORT). It serves
// no metrics: /metrics answers 404 here like any unknown path. Health checks
// are answered before the metrics: they are not the users' requests, and
// would hide their errors in the RED metrics and SLOs.
func appHandler(logger *slog.Logger, m *metrics) http.Handler {
	routes := http.NewServeMux()
	routes.HandleFunc("GET /{$}", hello)
	routes.HandleFunc("/", notFound)

	mux := http.NewServeMux()
	mux.HandleFunc("GET "+healthPath, health)
	mux.Handle("/", observe(m, logger, routes))
	return mux
}

func health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func hello(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"service": serviceName, "message": "hello"})
}

// notFound is the catch-all route "/": unknown paths get a JSON 404 (the
// route label says "unmatched").
func notFound(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	// The client may be gone; there is nobody left to tell.
	_ = json.NewEncoder(w).Encode(body)
}
