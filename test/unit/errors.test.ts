import { describe, expect, it } from 'vitest';
import { describeError, errorCode, nearestErrorCode, valueText } from '../../lib/errors';

describe('describeError', () => {
  it('renders an error and its causes on one line', () => {
    const error = new Error('day failed', { cause: new Error('cannot read x', { cause: new Error('EACCES') }) });
    expect(describeError(error)).toBe('day failed: cannot read x: EACCES');
  });

  it('leaves out a cause that an outer message already quotes', () => {
    // Prepare: a wrapper that includes its cause's message, as the source clients do.
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:1');
    const error = new Error(`source gim: cannot connect: ${cause.message}`, { cause });

    // Act
    const text = describeError(error);

    // Assess
    expect(text).toBe('source gim: cannot connect: connect ECONNREFUSED 127.0.0.1:1');
  });

  it('renders a thrown non-error and stops at five levels', () => {
    expect(describeError('plain')).toBe('plain');
    let deep: Error = new Error('l6');
    for (let i = 5; i >= 1; i -= 1) deep = new Error(`l${i}`, { cause: deep });
    expect(describeError(deep)).toBe('l1: l2: l3: l4: l5');
  });
});

describe('errorCode, nearestErrorCode', () => {
  it("reads a string `code` only", () => {
    expect(errorCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe('ENOENT');
    expect(errorCode({ code: 208 })).toBeUndefined();
    expect(errorCode('ENOENT')).toBeUndefined();
    expect(errorCode(null)).toBeUndefined();
  });

  it('finds the nearest code in the chain of causes, within describeError\'s five levels', () => {
    const coded = Object.assign(new Error('admin shutdown'), { code: '57P01' });
    expect(nearestErrorCode(new Error('day failed', { cause: new Error('extract failed', { cause: coded }) }))).toBe('57P01');
    let deep: Error = coded;
    for (let i = 0; i < 5; i += 1) deep = new Error(`l${i}`, { cause: deep });
    expect(nearestErrorCode(deep)).toBeUndefined();
    expect(nearestErrorCode(new Error('none'))).toBeUndefined();
  });
});

describe('valueText', () => {
  it('renders primitives as String() does and objects readably', () => {
    expect(valueText('a')).toBe('a');
    expect(valueText(12)).toBe('12');
    expect(valueText(null)).toBe('null');
    expect(valueText({ kind: 'ASR' })).toBe("{ kind: 'ASR' }");
    expect(describeError({ code: 'X' })).toBe("{ code: 'X' }");
  });
});
