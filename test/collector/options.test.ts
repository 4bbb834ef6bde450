import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AllowList } from '../../src/collector/allow-list.js';
import { formatDuration, formatListenAddress, parseDuration, parseListenAddress, parsePositiveInteger, parseSize } from '../../src/collector/options.js';
import { RibstoreError } from '../../src/errors.js';

const invalid = (error: unknown): boolean => error instanceof RibstoreError && error.code === 'INVALID_ARGUMENT';

describe('parseDuration', () => {
  test('units and combinations', () => {
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('2d'), 172_800_000);
    assert.equal(parseDuration('0'), 0);
    assert.equal(parseDuration('30'), 30_000);
  });
  test('rejects junk', () => {
    for (const bad of ['', 'm', '5x', '5m junk', '-5m', '5 m', 'abc']) assert.throws(() => parseDuration(bad), invalid, bad);
  });
  test('formats back', () => {
    assert.equal(formatDuration(300_000), '5m');
    assert.equal(formatDuration(1500), '1500ms');
    assert.equal(formatDuration(3_600_000), '1h');
  });
});

describe('parseListenAddress', () => {
  test('forms', () => {
    assert.deepEqual(parseListenAddress('8080', '127.0.0.1'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseListenAddress('0.0.0.0:11019', '127.0.0.1'), { host: '0.0.0.0', port: 11019 });
    assert.deepEqual(parseListenAddress('[::1]:0', '127.0.0.1'), { host: '::1', port: 0 });
    assert.deepEqual(parseListenAddress('localhost:9', '127.0.0.1'), { host: 'localhost', port: 9 });
    assert.equal(formatListenAddress({ host: '::1', port: 80 }), '[::1]:80');
    assert.equal(formatListenAddress({ host: '10.0.0.1', port: 80 }), '10.0.0.1:80');
  });
  test('rejects bad ports and unbracketed IPv6', () => {
    for (const bad of ['', 'x', '65536', ':80', '::1:80', '[::1]', '1.2.3.4:', '1.2.3.4:-1']) assert.throws(() => parseListenAddress(bad, '127.0.0.1'), invalid, bad);
  });
});

describe('AllowList', () => {
  test('empty allows all', () => {
    assert.equal(new AllowList([]).allows('203.0.113.9'), true);
  });
  test('matches IPv4, IPv6 and IPv4-mapped IPv6', () => {
    const list = new AllowList(['192.0.2.0/24', '2001:db8::/32', '127.0.0.1']);
    assert.equal(list.allows('192.0.2.77'), true);
    assert.equal(list.allows('192.0.3.1'), false);
    assert.equal(list.allows('::ffff:192.0.2.1'), true);
    assert.equal(list.allows('2001:db8:1::5'), true);
    assert.equal(list.allows('2001:db9::1'), false);
    assert.equal(list.allows('127.0.0.1'), true);
    assert.equal(list.allows('127.0.0.2'), false);
    assert.equal(list.allows('not an address'), false);
  });
  test('rejects bad entries naming them', () => {
    assert.throws(() => new AllowList(['10.0.0.0/33']), (error: unknown) => invalid(error) && /10\.0\.0\.0\/33/.test((error as Error).message));
  });
});

describe('sizes and counts', () => {
  test('parseSize', () => {
    assert.equal(parseSize('65536'), 65536);
    assert.equal(parseSize('64K'), 65536);
    assert.equal(parseSize('16MiB'), 16 * 1024 * 1024);
    assert.equal(parseSize('1g'), 1024 ** 3);
    for (const bad of ['', 'K', '1.5M', '1T', '-1']) assert.throws(() => parseSize(bad), invalid, bad);
  });
  test('parsePositiveInteger', () => {
    assert.equal(parsePositiveInteger('12', '--max-sessions'), 12);
    for (const bad of ['0', '-1', 'x', '1.5']) assert.throws(() => parsePositiveInteger(bad, '--max-sessions'), invalid, bad);
  });
});
