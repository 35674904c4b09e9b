'use strict';

const { createApp, createMetricsApp } = require('./app');
const { createLogger } = require('./logger');
const { createMetrics } = require('./metrics');

const DEFAULT_PORT = ${{ values.port }};
// The OpenTelemetry Prometheus exporter's port, and the platform's default
// spec.metrics.port; the Deployment sets METRICS_PORT to the real one.
const DEFAULT_METRICS_PORT = 9464;

// Settings come from the environment (12-factor); the Deployment sets PORT
// and METRICS_PORT. Like the platform, metrics move to 9465 when the app
// itself listens on 9464.
function readConfig(env = process.env) {
  const port = Number(env.PORT) || DEFAULT_PORT;
  const defaultMetricsPort = port === DEFAULT_METRICS_PORT ? DEFAULT_METRICS_PORT + 1 : DEFAULT_METRICS_PORT;
  return {
    port,
    metricsPort: Number(env.METRICS_PORT) || defaultMetricsPort,
    host: env.HOST || undefined,
    logLevel: env.LOG_LEVEL || 'info',
  };
}

// listen starts one listener. Express 5 calls back with the error when the
// port cannot be bound (taken, or privileged): log it as JSON and exit 1,
// so the pod's logs say which port.
function listen({ app, port, host, logger, exit, listener }) {
  const server = app.listen(port, host, (err) => {
    if (err) {
      logger.error('cannot listen', { listener, port, err });
      exit(1);
      return;
    }
    logger.info('listening', { listener, port: server.address().port });
  });
  return server;
}

// closeAll stops both listeners and calls done once, with the first error.
function closeAll(servers, done) {
  let pending = servers.length;
  let firstErr;
  for (const server of servers) {
    server.close((err) => {
      firstErr = firstErr || err;
      pending -= 1;
      if (pending === 0) done(firstErr);
    });
    server.closeIdleConnections();
  }
}

// Starts the app on PORT and its metrics on METRICS_PORT, and stops both
// gracefully on SIGTERM/SIGINT: Kubernetes sends SIGTERM on rollout (after
// the platform's preStop has taken the pod out of the load balancer), and
// in-flight requests must finish before exit. Port 0 (tests) picks free ports.
function start({
  port,
  metricsPort,
  host,
  logger,
  shutdownTimeoutMs = 10000,
  exit = (code) => process.exit(code),
}) {
  if (port === metricsPort && port !== 0) {
    throw new Error(`METRICS_PORT (${metricsPort}) must differ from PORT: the app port is public, metrics must not be`);
  }
  const metrics = createMetrics();
  const server = listen({ app: createApp({ logger, metrics }), port, host, logger, exit, listener: 'app' });
  const metricsServer = listen({
    app: createMetricsApp({ logger, metrics }),
    port: metricsPort,
    host,
    logger,
    exit,
    listener: 'metrics',
  });

  let stopping = false;
  function shutdown(signal) {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    // A stuck connection must not block the pod forever.
    const timer = setTimeout(() => {
      logger.error('shutdown timed out, forcing exit');
      exit(1);
    }, shutdownTimeoutMs);
    timer.unref();
    closeAll([server, metricsServer], (err) => {
      clearTimeout(timer);
      if (err) logger.error('error while closing', { err });
      exit(err ? 1 : 0);
    });
  }

  const onSignal = (signal) => shutdown(signal);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  server.on('close', () => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  });

  return { server, metricsServer, shutdown };
}

if (require.main === module) {
  const { port, metricsPort, host, logLevel } = readConfig();
  const logger = createLogger({ level: logLevel, base: { service: '${{ values.name }}' } });
  start({ port, metricsPort, host, logger });
}

module.exports = { start, readConfig, DEFAULT_PORT, DEFAULT_METRICS_PORT };
