'use strict';

const request = require('supertest');
const { createApp } = require('../src/app');
const { createMetrics } = require('../src/metrics');
const { memoryLogger } = require('./helpers');

function setup() {
  const { logger, lines } = memoryLogger();
  const metrics = createMetrics();
  const app = createApp({ logger, metrics });
  return { app, metrics, lines };
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

describe('GET /metrics', () => {
  test('exposes RED and default metrics in Prometheus format', async () => {
    const { app } = setup();
    await request(app).get('/health');
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toContain('http_requests_total{method="GET",route="/health",status="200"} 1');
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toContain('process_cpu_seconds_total');
  });

  test('answers 500 when the registry fails', async () => {
    const { app, metrics } = setup();
    jest.spyOn(metrics.registry, 'metrics').mockRejectedValue(new Error('boom'));
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal error' });
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
    const { app, metrics, lines } = setup();
    jest.spyOn(metrics.registry, 'metrics').mockRejectedValue(new Error('boom'));
    await request(app).get('/metrics');
    const counted = await metrics.errors.get();
    expect(counted.values).toEqual([
      expect.objectContaining({ value: 1, labels: { method: 'GET', route: '/metrics', status: '500' } }),
    ]);
    const error = lines.find((l) => l.level === 'error');
    expect(error).toMatchObject({ msg: 'unhandled error', err: { message: 'boom' } });
  });
});
