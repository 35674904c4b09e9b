package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestObserveCountsUsersRequestsByRoute(t *testing.T) {
	m := newMetrics()
	srv := httptest.NewServer(appHandler(newLogger(io.Discard, "error"), m))
	t.Cleanup(srv.Close)
	for _, path := range []string{"/", "/", "/health", "/health", "/nope", "/metrics"} {
		do(t, "GET", srv.URL+path)
	}
	tests := []struct {
		route, status string
		want          float64
	}{
		{route: "/", status: "200", want: 2},
		{route: "unmatched", status: "404", want: 2},
	}
	for _, tt := range tests {
		if got := testutil.ToFloat64(m.requests.WithLabelValues("GET", tt.route, tt.status)); got != tt.want {
			t.Errorf("http_requests_total{route=%q,status=%q} = %v, want %v", tt.route, tt.status, got, tt.want)
		}
	}
	// Health checks are not the users' requests: no series at all.
	if n := testutil.CollectAndCount(m.requests); n != len(tests) {
		t.Errorf("%d request series, want %d (no /health)", n, len(tests))
	}
	if n := testutil.CollectAndCount(m.duration); n != len(tests) {
		t.Errorf("%d duration series, want %d", n, len(tests))
	}
	if n := testutil.CollectAndCount(m.errors); n != 0 {
		t.Errorf("%d error series, want none", n)
	}
}

func TestObserveAnswersAPanicWith500AndCountsIt(t *testing.T) {
	m := newMetrics()
	var logs bytes.Buffer
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(http.ResponseWriter, *http.Request) { panic("boom") })
	srv := httptest.NewServer(observe(m, newLogger(&logs, "info"), mux))
	t.Cleanup(srv.Close)

	status, body := do(t, "GET", srv.URL+"/items/42")
	if status != 500 || body != "{\"error\":\"internal error\"}\n" {
		t.Fatalf("got %d %q", status, body)
	}
	if got := testutil.ToFloat64(m.errors.WithLabelValues("GET", "/items/{id}", "500")); got != 1 {
		t.Fatalf("http_request_errors_total = %v, want 1", got)
	}
	var msgs []string
	for _, e := range decodeLines(t, logs.String()) {
		msgs = append(msgs, e["msg"].(string))
	}
	if len(msgs) != 2 || msgs[0] != "unhandled error" || msgs[1] != "request" {
		t.Fatalf("log messages %q", msgs)
	}
}

func TestRouteLabel(t *testing.T) {
	tests := map[string]string{
		"GET /{$}":           "/",
		"GET /items/{id}":    "/items/{id}",
		"POST /orders/{$}":   "/orders/",
		"/static/":           "/static/",
		"example.com/a/{id}": "example.com/a/{id}",
		"/":                  "unmatched",
		"":                   "unmatched",
	}
	for pattern, want := range tests {
		if got := routeLabel(pattern); got != want {
			t.Errorf("routeLabel(%q) = %q, want %q", pattern, got, want)
		}
	}
}

func TestMethodLabelIsBounded(t *testing.T) {
	for method, want := range map[string]string{"GET": "GET", "DELETE": "DELETE", "PURGE": "_OTHER", "get": "_OTHER"} {
		if got := methodLabel(method); got != want {
			t.Errorf("methodLabel(%q) = %q, want %q", method, got, want)
		}
	}
}
