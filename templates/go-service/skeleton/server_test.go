package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log sink the servers' goroutines and the test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServing runs serve in the background; stop cancels it and returns its error.
func startServing(t *testing.T, logger *slog.Logger, timeout time.Duration, endpoints ...endpoint) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, logger, timeout, endpoints...) }()
	return func() error {
		cancel(fmt.Errorf("test stop"))
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("serve did not return")
			return nil
		}
	}
}

func url(e endpoint, path string) string { return "http://" + e.ln.Addr().String() + path }

func TestServeAppAndMetricsOnTheirPortsThenStop(t *testing.T) {
	logs := &syncBuffer{}
	logger := newLogger(logs, "info")
	endpoints, err := listen(config{host: "127.0.0.1"}, logger)
	if err != nil {
		t.Fatal(err)
	}
	app, met := endpoints[0], endpoints[1]
	stop := startServing(t, logger, time.Second, endpoints...)

	if status, body := do(t, "GET", url(app, "/health")); status != 200 || body != "{\"status\":\"ok\"}\n" {
		t.Fatalf("GET /health = %d %q", status, body)
	}
	do(t, "GET", url(app, "/"))
	if status, _ := do(t, "GET", url(app, "/metrics")); status != 404 {
		t.Fatalf("GET /metrics on the app port = %d, want 404", status)
	}
	status, body := do(t, "GET", url(met, "/metrics"))
	if want := `http_requests_total{method="GET",route="/",status="200"} 1`; status != 200 || !strings.Contains(body, want) {
		t.Fatalf("GET /metrics = %d, without %q:\n%s", status, want, body)
	}
	if strings.Contains(body, `route="/health"`) {
		t.Fatal("health checks are in the RED metrics")
	}

	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	var msgs []string
	for _, e := range decodeLines(t, logs.String()) {
		msgs = append(msgs, e["msg"].(string))
	}
	if got := strings.Join(msgs, ","); got != "listening,listening,request,request,shutting down" {
		t.Fatalf("log messages: %s", got)
	}
	if _, err := net.DialTimeout("tcp", app.ln.Addr().String(), time.Second); err == nil {
		t.Fatal("the app port still accepts connections")
	}
}

// slowEndpoint answers 200 once release is closed, and says when a request arrived.
func slowEndpoint(t *testing.T) (e endpoint, arrived, release chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	arrived, release = make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(arrived)
		<-release
		w.WriteHeader(http.StatusOK)
	})
	return endpoint{name: "app", ln: ln, handler: h}, arrived, release
}

func TestServeFinishesInFlightRequestsBeforeReturning(t *testing.T) {
	e, arrived, release := slowEndpoint(t)
	stop := startServing(t, newLogger(io.Discard, "error"), 5*time.Second, e)
	got := make(chan int, 1)
	go func() {
		res, err := http.Get(url(e, "/slow"))
		if err != nil {
			got <- 0
			return
		}
		res.Body.Close()
		got <- res.StatusCode
	}()
	<-arrived
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	select {
	case err := <-stopped:
		t.Fatalf("serve returned with a request in flight: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if status := <-got; status != 200 {
		t.Fatalf("in-flight request got %d, want 200", status)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("serve: %v", err)
	}
}

func TestServeGivesUpOnAStuckRequestAfterTheTimeout(t *testing.T) {
	e, arrived, release := slowEndpoint(t)
	defer close(release)
	stop := startServing(t, newLogger(io.Discard, "error"), 100*time.Millisecond, e)
	go func() {
		if res, err := http.Get(url(e, "/stuck")); err == nil {
			res.Body.Close()
		}
	}()
	<-arrived
	err := stop()
	if err == nil || !strings.Contains(err.Error(), "context deadline exceeded") {
		t.Fatalf("serve = %v, want a deadline error", err)
	}
}

func TestListenRefusesATakenPort(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name string
		cfg  config
		want string
	}{
		{name: "app port", cfg: config{host: "127.0.0.1", port: port}, want: "app listener"},
		{name: "metrics port", cfg: config{host: "127.0.0.1", metricsPort: port}, want: "metrics listener"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			endpoints, err := listen(tt.cfg, newLogger(io.Discard, "error"))
			if err == nil {
				for _, e := range endpoints {
					e.ln.Close()
				}
				t.Fatal("listen succeeded on a taken port")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
