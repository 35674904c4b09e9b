package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAppRoutes(t *testing.T) {
	srv := httptest.NewServer(appHandler(newLogger(io.Discard, "error"), newMetrics()))
	t.Cleanup(srv.Close)
	tests := []struct {
		method, path string
		status       int
		body         string
	}{
		{method: "GET", path: "/", status: 200, body: `{"message":"hello","service":"` + serviceName + `"}`},
		{method: "GET", path: "/health", status: 200, body: `{"status":"ok"}`},
		{method: "HEAD", path: "/health", status: 200},
		// Metrics are never on the public port.
		{method: "GET", path: "/metrics", status: 404, body: `{"error":"not found"}`},
		{method: "GET", path: "/nope", status: 404, body: `{"error":"not found"}`},
		{method: "POST", path: "/", status: 404, body: `{"error":"not found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			status, body := do(t, tt.method, srv.URL+tt.path)
			if status != tt.status || strings.TrimSpace(body) != tt.body {
				t.Fatalf("%s %s = %d %q, want %d %q", tt.method, tt.path, status, body, tt.status, tt.body)
			}
		})
	}
}

func TestMetricsRoutes(t *testing.T) {
	srv := httptest.NewServer(metricsHandler(newMetrics()))
	t.Cleanup(srv.Close)
	status, body := do(t, "GET", srv.URL+"/metrics")
	for _, want := range []string{"# TYPE go_goroutines gauge", "# TYPE process_cpu_seconds_total counter"} {
		if status != 200 || !strings.Contains(body, want) {
			t.Fatalf("GET /metrics = %d, without %q:\n%s", status, want, body)
		}
	}
	if status, _ := do(t, "GET", srv.URL+"/"); status != 404 {
		t.Fatalf("GET / on the metrics port = %d, want 404", status)
	}
}

func do(t *testing.T, method, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(body)
}
