import { describe, expect, it } from 'vitest';
import { secretMatcher } from './secretMatcher.ts';

describe('secretMatcher', () => {
  const sourceOf = secretMatcher(
    new Map([
      ['wk_web_0123456789', 'web'],
      ['wk_backend_0123456789', 'backend'],
      ['', 'empty'],
    ]),
  );

  it('finds the source of each key', () => {
    expect(sourceOf('wk_web_0123456789')).toBe('web');
    expect(sourceOf('wk_backend_0123456789')).toBe('backend');
  });

  it.each([
    ['a prefix', 'wk_web_012345678'],
    ['a longer key', 'wk_web_0123456789x'],
    ['another case', 'WK_WEB_0123456789'],
    ['surrounding space', ' wk_web_0123456789'],
    ['nothing', ''],
    ['no header', undefined],
  ])('finds nothing for %s, and an empty configured key never matches', (_, presented) => {
    expect(sourceOf(presented)).toBeUndefined();
  });
});
