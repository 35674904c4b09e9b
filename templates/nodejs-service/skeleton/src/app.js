'use strict';

const express = require('express');

// The route label uses Express's route pattern, never the raw URL, so that
// metrics keep a bounded number of series.
function routeLabel(req) {
  if (req.route && req.route.path) return `${req.baseUrl}${req.route.path}`;
  return 'unmatched';
}

function observe(metrics, logger) {
  return (req, res, next) => {
    const stop = metrics.duration.startTimer();
    res.on('finish', () => {
      const labels = { method: req.method, route: routeLabel(req), status: String(res.statusCode) };
      stop(labels);
      metrics.requests.inc(labels);
      if (res.statusCode >= 500) metrics.errors.inc(labels);
      logger.info('request', { ...labels, path: req.path });
    });
    next();
  };
}

// handleErrors ends an app: unknown paths are 404, and errors (Express 5
// forwards rejected promises too) are logged and answered 500.
function handleErrors(app, logger) {
  app.use((req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  // eslint-disable-next-line no-unused-vars
  app.use((err, req, res, next) => {
    logger.error('unhandled error', { err, path: req.path });
    res.status(500).json({ error: 'internal error' });
  });
}

// createApp is what the platform routes to the internet (PORT). It serves no
// metrics: /metrics answers 404 here like any unknown path.
function createApp({ logger, metrics }) {
  const app = express();
  app.disable('x-powered-by');
  // Before the metrics: kubelet probes and ALB health checks are not the
  // users' requests, and would hide their errors in the RED metrics and SLOs.
  app.get('/health', (req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(observe(metrics, logger));

  app.get('/', (req, res) => {
    res.json({ service: '${{ values.name }}', message: 'hello' });
  });

  handleErrors(app, logger);
  return app;
}

// createMetricsApp serves /metrics alone, on METRICS_PORT, which only
// Prometheus reaches inside the cluster. Scrapes are not observed: they are
// not the app's traffic.
function createMetricsApp({ logger, metrics }) {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (req, res) => {
    const body = await metrics.registry.metrics();
    res.set('Content-Type', metrics.registry.contentType);
    res.send(body);
  });
  handleErrors(app, logger);
  return app;
}

module.exports = { createApp, createMetricsApp, observe, handleErrors };
