'use strict';

const { createLogger } = require('../src/logger');
const { memoryLogger } = require('./helpers');

test('writes one JSON object per line with time, level and fields', () => {
  const { logger, lines } = memoryLogger();
  logger.info('hello', { user: 'a' });
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: 'info', msg: 'hello', user: 'a' });
  expect(Date.parse(lines[0].time)).not.toBeNaN();
});

test('drops entries below the configured level', () => {
  const { logger, lines } = memoryLogger('warn');
  logger.info('quiet');
  logger.warn('loud');
  expect(lines.map((l) => l.msg)).toEqual(['loud']);
});

test('falls back to info for an unknown level and writes to stdout by default', () => {
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const logger = createLogger({ level: 'nonsense' });
  logger.debug('hidden');
  logger.info('shown');
  expect(spy).toHaveBeenCalledTimes(1);
  spy.mockRestore();
});
