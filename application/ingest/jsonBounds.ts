export type JsonBounds = {
  /** whether the value nests deeper than the limit (the value itself is level 1) */
  readonly tooDeep: boolean;
  /**
   * at least the UTF-8 byte length of `JSON.stringify(value)`; undefined when only
   * JSON.stringify can tell (a `toJSON` method, a bigint, an object other than a plain one or an
   * array) or when the walk stopped at `tooDeep`
   */
  readonly maxBytes: number | undefined;
};

/** the longest JSON a number can take: `-0.0000012345678901234567` (not `-1.7976931348623157e+308`, 24) */
const MAX_NUMBER_CHARS = 25;
/** a UTF-16 unit is at most 6 bytes in a JSON string (`\u001f`, a lone surrogate `\udc00`) */
const MAX_BYTES_PER_UNIT = 6;

/**
 * One walk over an event: how deep it nests and an upper bound of its JSON size, so an ordinary event
 * is never stringified just to check the size limit; one near the limit is measured exactly.
 * Iterative, so no input can overflow the stack.
 */
export const jsonBounds = (value: unknown, depthLimit: number): JsonBounds => {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  let bytes = 0;
  let bounded = true;
  while (values.length > 0) {
    const next = values.pop();
    const depth = depths.pop() ?? 1;
    if (typeof next !== 'object' || next === null) {
      const size = primitiveBytes(next);
      if (size === undefined) bounded = false;
      else bytes += size;
      continue;
    }
    if (depth > depthLimit) return { tooDeep: true, maxBytes: undefined };
    if (typeof (next as { toJSON?: unknown }).toJSON === 'function') bounded = false;
    const proto: unknown = Object.getPrototypeOf(next);
    bytes += 2; // brackets
    if (Array.isArray(next)) {
      if (proto !== Array.prototype) bounded = false;
      for (const item of next) {
        bytes += 1; // comma
        values.push(item);
        depths.push(depth + 1);
      }
    } else {
      if (proto !== Object.prototype && proto !== null) bounded = false;
      for (const key of Object.keys(next)) {
        bytes += key.length * MAX_BYTES_PER_UNIT + 4; // quotes, colon, comma
        values.push((next as Record<string, unknown>)[key]);
        depths.push(depth + 1);
      }
    }
  }
  return { tooDeep: false, maxBytes: bounded ? bytes : undefined };
};

/** bytes a primitive takes at most as JSON (undefined and functions, omitted or `null`: 4) */
const primitiveBytes = (value: unknown): number | undefined => {
  switch (typeof value) {
    case 'string':
      return value.length * MAX_BYTES_PER_UNIT + 2;
    case 'number':
      return MAX_NUMBER_CHARS;
    case 'boolean':
      return 5;
    case 'bigint':
      return undefined; // JSON.stringify throws: the bounded check says why
    default:
      return 4;
  }
};
