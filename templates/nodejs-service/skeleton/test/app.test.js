'use strict';

const express = require('express');
const request = require('supertest');
const { createApp, createMetricsApp, observe, handleErrors } = require('../src/app');
const { createMetrics } = require('../src/metrics');
const { memoryLogger } = require('./helpers');

function setup() {
  const { logger, lines } = memoryLogger();
  const metrics = createMetrics();
  const app = createApp({ logger, metrics });
  const metricsApp = createMetricsApp({ logger, metrics });
  return { app, metricsApp, metrics, lines };
}

describe('GET /health', () => {
  test('answers ok', async () => {
    const { app } = setup();
    const res = await request(app).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});

describe('GET /', () => {
  test('names the service', async () => {
    const { app } = setup();
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    expect(res.body.service).toBe('${{ values.name }}');
  });
});

describe('metrics stay off the app port', () => {
  // The platform routes the app port to the internet: /metrics there would
  // be public.
  test('the app answers GET /metrics with 404', async () => {
    const { app } = setup();
    for (const path of ['/metrics', '/metrics/', '/METRICS']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('http_requests_total');
    }
  });
});

describe('GET /metrics on the metrics listener', () => {
  test('exposes RED and default metrics in Prometheus format', async () => {
    const { app, metricsApp } = setup();
    await request(app).get('/');
    const res = await request(metricsApp).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toContain('http_requests_total{method="GET",route="/",status="200"} 1');
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toContain('process_cpu_seconds_total');
  });

  test('health checks are not counted as the app\'s requests', async () => {
    const { app, metrics } = setup();
    await request(app).get('/health');
    const counted = await metrics.requests.get();
    expect(counted.values).toEqual([]);
  });

  test('scrapes are not counted as the app\'s requests', async () => {
    const { metricsApp, metrics } = setup();
    await request(metricsApp).get('/metrics');
    const counted = await metrics.requests.get();
    expect(counted.values).toEqual([]);
  });

  test('serves nothing else', async () => {
    const { metricsApp } = setup();
    const res = await request(metricsApp).get('/health');
    expect(res.status).toBe(404);
  });

  test('answers 500 and logs when the registry fails', async () => {
    const { metricsApp, metrics, lines } = setup();
    jest.spyOn(metrics.registry, 'metrics').mockRejectedValue(new Error('boom'));
    const res = await request(metricsApp).get('/metrics');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal error' });
    expect(lines.find((l) => l.level === 'error')).toMatchObject({ msg: 'unhandled error', err: { message: 'boom' } });
  });
});

describe('errors and unknown routes', () => {
  test('unknown routes are 404 with a bounded route label', async () => {
    const { app, metrics } = setup();
    const res = await request(app).get('/no/such/page');
    expect(res.status).toBe(404);
    const text = await metrics.registry.metrics();
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 1');
  });

  test('5xx answers are counted as errors and logged as JSON', async () => {
    // A route of your own that throws, observed and handled as createApp does.
    const { logger, lines } = memoryLogger();
    const metrics = createMetrics();
    const app = express();
    app.use(observe(metrics, logger));
    app.get('/boom', () => {
      throw new Error('boom');
    });
    handleErrors(app, logger);
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    const counted = await metrics.errors.get();
    expect(counted.values).toEqual([
      expect.objectContaining({ value: 1, labels: { method: 'GET', route: '/boom', status: '500' } }),
    ]);
    expect(lines.find((l) => l.level === 'error')).toMatchObject({ msg: 'unhandled error', err: { message: 'boom' } });
  });
});
