/**
 * PostgreSQL text and jsonb cannot hold U+0000, which SQLite stores and a client may send: one
 * such event would fail its batch on every retry. It is stored as U+FFFD instead.
 */
export const withoutNul = (text: string): string =>
  text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;

/** `\u0000` escapes in JSON text (an even run of backslashes before it: not itself escaped) */
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;

export const jsonWithoutNul = (json: string): string =>
  json.includes('\\u0000') ? json.replace(NUL_ESCAPE, '$1\\ufffd') : json;
