import { describe, expect, it } from 'vitest';
import { logFormatOf } from './logFormat.ts';

describe('the log format', () => {
  it('is readable lines on a terminal and JSON anywhere else when LOG_FORMAT is unset', () => {
    expect(logFormatOf(undefined, true)).toBe('pretty');
    expect(logFormatOf(undefined, false)).toBe('json');
  });

  it('is what LOG_FORMAT says, terminal or not', () => {
    expect(logFormatOf('json', true)).toBe('json');
    expect(logFormatOf('json', false)).toBe('json');
    expect(logFormatOf('pretty', true)).toBe('pretty');
    expect(logFormatOf('pretty', false)).toBe('pretty');
  });
});
