'use strict';

const request = require('supertest');
const { start, readConfig, DEFAULT_PORT, DEFAULT_METRICS_PORT } = require('../src/server');
const { memoryLogger } = require('./helpers');

function listening(server) {
  return new Promise((resolve) => {
    if (server.listening) resolve();
    else server.once('listening', resolve);
  });
}

function closed(server) {
  return new Promise((resolve) => server.once('close', resolve));
}

// Every test's server is closed, even when an assertion fails, so that Jest
// never waits on an open socket.
let running;
function startForTest(options) {
  running = start({ port: 0, metricsPort: 0, host: '127.0.0.1', ...options });
  return running;
}

afterEach(async () => {
  jest.useRealTimers();
  jest.restoreAllMocks();
  for (const server of running ? [running.server, running.metricsServer] : []) {
    if (server && server.listening) await new Promise((resolve) => server.close(resolve));
  }
  running = undefined;
});

test('defaults to the port chosen in the template and the metrics port 9464', () => {
  expect(DEFAULT_PORT).toBe(${{ values.port }});
  expect(DEFAULT_METRICS_PORT).toBe(9464);
  expect(readConfig({ PORT: '3000' })).toEqual({ port: 3000, metricsPort: 9464, host: undefined, logLevel: 'info' });
  expect(readConfig({}).port).toBe(DEFAULT_PORT);
});

test('reads PORT, METRICS_PORT, HOST and LOG_LEVEL from the environment', () => {
  expect(readConfig({ PORT: '8081', METRICS_PORT: '9090', HOST: '127.0.0.1', LOG_LEVEL: 'debug' })).toEqual({
    port: 8081,
    metricsPort: 9090,
    host: '127.0.0.1',
    logLevel: 'debug',
  });
});

test('keeps metrics off the app port when the app listens on 9464', () => {
  expect(readConfig({ PORT: '9464' }).metricsPort).toBe(9465);
});

test('refuses to serve metrics on the app port', () => {
  const { logger } = memoryLogger();
  expect(() => start({ port: 8080, metricsPort: 8080, logger })).toThrow(/METRICS_PORT/);
});

test('serves /metrics on the metrics port only', async () => {
  const { logger, lines } = memoryLogger();
  const { server, metricsServer } = startForTest({ logger, exit: jest.fn() });
  await Promise.all([listening(server), listening(metricsServer)]);
  expect(metricsServer.address().port).not.toBe(server.address().port);

  await request(server).get('/');
  const onAppPort = await request(server).get('/metrics');
  expect(onAppPort.status).toBe(404);
  const scraped = await request(metricsServer).get('/metrics');
  expect(scraped.status).toBe(200);
  expect(scraped.text).toContain('http_requests_total{method="GET",route="/",status="200"} 1');
  expect(lines.filter((l) => l.msg === 'listening').map((l) => l.listener).sort()).toEqual(['app', 'metrics']);
});

test('logs and exits 1 when the metrics port is taken', async () => {
  const taken = require('http').createServer();
  await new Promise((resolve) => taken.listen(0, '127.0.0.1', resolve));
  try {
    const { logger, lines } = memoryLogger();
    const exit = jest.fn();
    startForTest({ logger, exit, metricsPort: taken.address().port });
    await new Promise((resolve) => running.metricsServer.once('error', () => setImmediate(resolve)));
    expect(exit).toHaveBeenCalledWith(1);
    expect(lines.find((l) => l.level === 'error')).toMatchObject({ msg: 'cannot listen', listener: 'metrics' });
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});

test('serves, then exits 0 after a graceful shutdown on SIGTERM', async () => {
  const { logger, lines } = memoryLogger();
  const exit = jest.fn();
  const { server, metricsServer } = startForTest({ logger, exit });
  await Promise.all([listening(server), listening(metricsServer)]);

  const res = await request(server).get('/health');
  expect(res.body).toEqual({ status: 'ok' });

  const done = Promise.all([closed(server), closed(metricsServer)]);
  process.emit('SIGTERM', 'SIGTERM');
  await done;
  await new Promise(setImmediate);
  expect(exit).toHaveBeenCalledWith(0);
  expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['listening', 'shutting down']));
});

test('a second signal does not start a second shutdown', async () => {
  const { logger } = memoryLogger();
  const exit = jest.fn();
  const { server, metricsServer, shutdown } = startForTest({ logger, exit });
  await Promise.all([listening(server), listening(metricsServer)]);
  const done = Promise.all([closed(server), closed(metricsServer)]);
  shutdown('SIGINT');
  shutdown('SIGINT');
  await done;
  await new Promise(setImmediate);
  expect(exit).toHaveBeenCalledTimes(1);
});

test('forces exit 1 when connections do not drain in time', async () => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
  const { logger } = memoryLogger();
  const exit = jest.fn();
  const { server, metricsServer, shutdown } = startForTest({ logger, exit, shutdownTimeoutMs: 50 });
  await Promise.all([listening(server), listening(metricsServer)]);
  // A connection that never drains: close() never calls back.
  jest.spyOn(server, 'close').mockImplementation(() => server);
  shutdown('SIGTERM');
  jest.advanceTimersByTime(60);
  expect(exit).toHaveBeenCalledWith(1);
});
