'use strict';

const request = require('supertest');
const { start, readConfig, DEFAULT_PORT } = require('../src/server');
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
  running = start({ port: 0, host: '127.0.0.1', ...options });
  return running;
}

afterEach(async () => {
  jest.useRealTimers();
  jest.restoreAllMocks();
  if (running && running.server.listening) {
    await new Promise((resolve) => running.server.close(resolve));
  }
  running = undefined;
});

test('defaults to the port chosen in the template', () => {
  expect(DEFAULT_PORT).toBe(${{ values.port }});
  expect(readConfig({})).toEqual({ port: DEFAULT_PORT, host: undefined, logLevel: 'info' });
});

test('reads PORT, HOST and LOG_LEVEL from the environment', () => {
  expect(readConfig({ PORT: '8081', HOST: '127.0.0.1', LOG_LEVEL: 'debug' })).toEqual({
    port: 8081,
    host: '127.0.0.1',
    logLevel: 'debug',
  });
});

test('serves, then exits 0 after a graceful shutdown on SIGTERM', async () => {
  const { logger, lines } = memoryLogger();
  const exit = jest.fn();
  const { server } = startForTest({ logger, exit });
  await listening(server);

  const res = await request(server).get('/health');
  expect(res.body).toEqual({ status: 'ok' });

  const done = closed(server);
  process.emit('SIGTERM', 'SIGTERM');
  await done;
  expect(exit).toHaveBeenCalledWith(0);
  expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['listening', 'shutting down']));
});

test('a second signal does not start a second shutdown', async () => {
  const { logger } = memoryLogger();
  const exit = jest.fn();
  const { server, shutdown } = startForTest({ logger, exit });
  await listening(server);
  const done = closed(server);
  shutdown('SIGINT');
  shutdown('SIGINT');
  await done;
  expect(exit).toHaveBeenCalledTimes(1);
});

test('forces exit 1 when connections do not drain in time', async () => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
  const { logger } = memoryLogger();
  const exit = jest.fn();
  const { server, shutdown } = startForTest({ logger, exit, shutdownTimeoutMs: 50 });
  await listening(server);
  // A connection that never drains: close() never calls back.
  jest.spyOn(server, 'close').mockImplementation(() => server);
  shutdown('SIGTERM');
  jest.advanceTimersByTime(60);
  expect(exit).toHaveBeenCalledWith(1);
});
