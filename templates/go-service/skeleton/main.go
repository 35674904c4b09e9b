// Command ${{ values.name }} is a service made from the platform's go-service template.
//
// It serves the app on PORT and Prometheus metrics on METRICS_PORT, logs JSON
// lines on stdout, and stops gracefully on SIGTERM.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run())
}

// run starts the service and returns the process's exit code: 0 after a
// graceful shutdown, 1 when it cannot start or cannot stop in time.
func run() int {
	logger := newLogger(os.Stdout, os.Getenv("LOG_LEVEL")).With("service", serviceName)
	cfg, err := readConfig(os.Getenv)
	if err != nil {
		logger.Error("bad configuration", "err", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	endpoints, err := listen(cfg, logger)
	if err != nil {
		logger.Error("cannot listen", "err", err)
		return 1
	}
	if err := serve(ctx, logger, shutdownTimeout, endpoints...); err != nil {
		logger.Error("shutdown failed", "err", err)
		return 1
	}
	return 0
}
