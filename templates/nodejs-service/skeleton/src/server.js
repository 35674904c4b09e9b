'use strict';

const { createApp } = require('./app');
const { createLogger } = require('./logger');
const { createMetrics } = require('./metrics');

const DEFAULT_PORT = ${{ values.port }};

// Settings come from the environment (12-factor); the Deployment sets PORT.
function readConfig(env = process.env) {
  return {
    port: Number(env.PORT) || DEFAULT_PORT,
    host: env.HOST || undefined,
    logLevel: env.LOG_LEVEL || 'info',
  };
}

// Starts the HTTP server and stops it gracefully on SIGTERM/SIGINT: Kubernetes
// sends SIGTERM on rollout, and in-flight requests must finish before exit.
function start({
  port,
  host,
  logger,
  shutdownTimeoutMs = 10000,
  exit = (code) => process.exit(code),
}) {
  const app = createApp({ logger, metrics: createMetrics() });
  const server = app.listen(port, host, () => {
    logger.info('listening', { port: server.address().port });
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
    server.close((err) => {
      clearTimeout(timer);
      if (err) logger.error('error while closing', { err });
      exit(err ? 1 : 0);
    });
    server.closeIdleConnections();
  }

  const onSignal = (signal) => shutdown(signal);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  server.on('close', () => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  });

  return { server, shutdown };
}

if (require.main === module) {
  const { port, host, logLevel } = readConfig();
  const logger = createLogger({ level: logLevel, base: { service: '${{ values.name }}' } });
  start({ port, host, logger });
}

module.exports = { start, readConfig, DEFAULT_PORT };
