import { describe, it, expect } from 'vitest';
import { BdsError } from '../../lib/errors';
import { formatDuration, parseDuration } from '../../lib/time/duration';
import { InvalidDurationError } from '../../lib/time/errors';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['90s', 90],
    ['30m', 1800],
    ['2h', 7200],
    ['1d', 86_400],
    ['1h30m', 5400],
    ['2d12h', 216_000],
    ['1d2h3m4s', 93_784],
    ['1h0m', 3600],
    ['48h', 172_800],
    ['05m', 300],
  ])('reads %j as %i seconds', (text, expected) => {
    // Act
    const seconds = parseDuration(text);

    // Assess
    expect(seconds).toBe(expected);
  });

  it.each([
    '',
    '2x',
    '-1h',
    '+1h',
    'h',
    '1.5h',
    '30m1h',
    '1h1h',
    '1s1m',
    '90',
    '1H',
    ' 1h',
    '1h ',
    '1h 30m',
    '00',
    '１h',
    '99999999999999999999d',
  ])('rejects %j', (text) => {
    // Act
    const act = (): unknown => parseDuration(text);

    // Assess
    expect(act).toThrow(InvalidDurationError);
  });

  it('names the value and shows the accepted form in the error', () => {
    // Prepare
    let caught: unknown;

    // Act
    try {
      parseDuration('30m1h');
    } catch (error: unknown) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(InvalidDurationError);
    expect(caught).toBeInstanceOf(BdsError);
    const error = caught as InvalidDurationError;
    expect(error.value).toBe('30m1h');
    expect(error.message).toContain('"30m1h"');
    expect(error.message).toContain('1h30m');
    expect(error.message).toMatch(/d, h, m, s in that order/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [1, '1s'],
    [90, '1m30s'],
    [1800, '30m'],
    [5400, '1h30m'],
    [7200, '2h'],
    [86_400, '1d'],
    [216_000, '2d12h'],
    [93_784, '1d2h3m4s'],
    [86_401, '1d1s'],
  ])('writes %i seconds as %j', (seconds, expected) => {
    // Act
    const text = formatDuration(seconds);

    // Assess
    expect(text).toBe(expected);
  });

  it('is the inverse of parseDuration', () => {
    // Prepare
    const samples = [0, 1, 59, 60, 61, 3599, 3600, 3661, 86_399, 86_400, 90_061, 31_536_000];

    // Act
    const roundTripped = samples.map((seconds) => parseDuration(formatDuration(seconds)));

    // Assess
    expect(roundTripped).toEqual(samples);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %d', (seconds) => {
    // Act
    const act = (): unknown => formatDuration(seconds);

    // Assess
    expect(act).toThrow(InvalidDurationError);
  });
});
