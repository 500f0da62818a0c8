/** UTF-8 byte order, as COLLATE "C" (and SQLite's BINARY) order text; JS `<` orders UTF-16 units */
export const compareText = (a: string, b: string): number =>
  a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
