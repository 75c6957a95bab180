import { describe, expect, it } from 'vitest';
import { clipInterval, mergeIntervals, PeakCounter, totalSeconds } from '../../lib/aggregate/intervals';

const day = { start: 1000, end: 2000 };

describe('clipInterval', () => {
  it('keeps the part inside the period', () => {
    expect(clipInterval(900, 1100, day)).toEqual({ start: 1000, end: 1100 });
    expect(clipInterval(1900, 2100, day)).toEqual({ start: 1900, end: 2000 });
    expect(clipInterval(500, 2500, day)).toEqual({ start: 1000, end: 2000 });
  });
  it('runs an open fact to the end of the period', () => {
    expect(clipInterval(1500, null, day)).toEqual({ start: 1500, end: 2000 });
    expect(clipInterval(100, null, day)).toEqual({ start: 1000, end: 2000 });
  });
  it('drops facts that end at the period start or start at its end (half-open)', () => {
    expect(clipInterval(900, 1000, day)).toBeNull();
    expect(clipInterval(2000, 2100, day)).toBeNull();
    expect(clipInterval(2000, null, day)).toBeNull();
  });
  it('gives nothing for a fact with end <= start', () => {
    expect(clipInterval(1500, 1500, day)).toBeNull();
    expect(clipInterval(1500, 1400, day)).toBeNull();
  });
  it('keeps a one-second fact', () => {
    expect(clipInterval(1999, 2000, day)).toEqual({ start: 1999, end: 2000 });
  });
});

describe('mergeIntervals', () => {
  it('merges overlapping and touching intervals, in any input order', () => {
    expect(
      mergeIntervals([
        { start: 30, end: 40 },
        { start: 10, end: 20 },
        { start: 20, end: 25 },
        { start: 35, end: 50 },
        { start: 60, end: 61 },
      ]),
    ).toEqual([
      { start: 10, end: 25 },
      { start: 30, end: 50 },
      { start: 60, end: 61 },
    ]);
  });
  it('keeps a contained interval inside its container', () => {
    expect(mergeIntervals([{ start: 0, end: 100 }, { start: 10, end: 20 }])).toEqual([{ start: 0, end: 100 }]);
  });
  it('totals the covered seconds', () => {
    expect(totalSeconds(mergeIntervals([{ start: 0, end: 10 }, { start: 5, end: 15 }, { start: 20, end: 21 }]))).toBe(16);
  });
});

describe('PeakCounter', () => {
  it('is 0 with nothing added', () => {
    expect(new PeakCounter(day).peak()).toBe(0);
  });
  it('counts a single second of overlap as the peak', () => {
    const c = new PeakCounter(day);
    c.add({ start: 1000, end: 1010 });
    c.add({ start: 1009, end: 1500 });
    expect(c.peak()).toBe(2);
  });
  it('does not count touching intervals as overlapping', () => {
    const c = new PeakCounter(day);
    c.add({ start: 1000, end: 1010 });
    c.add({ start: 1010, end: 1020 });
    c.add({ start: 1020, end: 2000 });
    expect(c.peak()).toBe(1);
  });
  it('handles intervals that reach the last second of the period', () => {
    const c = new PeakCounter(day);
    c.add({ start: 1999, end: 2000 });
    c.add({ start: 1000, end: 2000 });
    expect(c.peak()).toBe(2);
  });
  it('refuses an interval outside the period', () => {
    const c = new PeakCounter(day);
    expect(() => c.add({ start: 999, end: 1001 })).toThrow(RangeError);
    expect(() => c.add({ start: 1500, end: 2001 })).toThrow(RangeError);
  });
  it('works on a zero-length period (a day that does not exist locally)', () => {
    expect(new PeakCounter({ start: 5, end: 5 }).peak()).toBe(0);
  });
});
