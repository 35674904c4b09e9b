package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// endpoint is one listener and what it serves.
type endpoint struct {
	name    string
	ln      net.Listener
	handler http.Handler
}

// listen binds the app port (PORT) and the metrics port (METRICS_PORT), so
// that a port that cannot be bound (taken, or privileged) fails at start.
func listen(cfg config, logger *slog.Logger) ([]endpoint, error) {
	m := newMetrics()
	app, err := net.Listen("tcp", net.JoinHostPort(cfg.host, strconv.Itoa(cfg.port)))
	if err != nil {
		return nil, fmt.Errorf("app listener: %w", err)
	}
	met, err := net.Listen("tcp", net.JoinHostPort(cfg.host, strconv.Itoa(cfg.metricsPort)))
	if err != nil {
		_ = app.Close()
		return nil, fmt.Errorf("metrics listener: %w", err)
	}
	return []endpoint{
		{name: "app", ln: app, handler: appHandler(logger, m)},
		{name: "metrics", ln: met, handler: metricsHandler(m)},
	}, nil
}

// serve runs the endpoints until ctx is done (SIGTERM or SIGINT), then shuts
// them down gracefully: Kubernetes sends SIGTERM on rollout after the
// platform's preStop has taken the pod out of the load balancer, and
// in-flight requests must finish before exit. A stuck connection must not
// block the pod forever: after timeout the servers are closed and serve
// returns an error. It also returns when a server fails.
func serve(ctx context.Context, logger *slog.Logger, timeout time.Duration, endpoints ...endpoint) error {
	servers := make([]*http.Server, len(endpoints))
	failed := make(chan error, len(endpoints))
	for i, e := range endpoints {
		servers[i] = &http.Server{
			Handler:           e.handler,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
		}
		logger.Info("listening", "listener", e.name, "port", e.ln.Addr().(*net.TCPAddr).Port)
		go func() {
			if err := servers[i].Serve(e.ln); !errors.Is(err, http.ErrServerClosed) {
				failed <- fmt.Errorf("%s listener: %w", e.name, err)
			}
		}()
	}

	var cause error
	select {
	case <-ctx.Done():
		logger.Info("shutting down", "reason", context.Cause(ctx).Error())
	case cause = <-failed:
		logger.Error("server failed, shutting down", "err", cause)
	}

	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	errs := make([]error, len(servers))
	var wg sync.WaitGroup
	for i, srv := range servers {
		wg.Go(func() {
			if err := srv.Shutdown(stopCtx); err != nil {
				errs[i] = fmt.Errorf("%s listener: %w", endpoints[i].name, errors.Join(err, srv.Close()))
			}
		})
	}
	wg.Wait()
	return errors.Join(append(errs, cause)...)
}
