import { describe, expect, it } from 'vitest';
import { GroupedStatement } from './groupedStatement.ts';

/** a statement that records its groups and finishes when told */
const recording = () => {
  const groups: string[][] = [];
  const pending: (() => void)[] = [];
  const failing = new Set<string>();
  const statement = new GroupedStatement<string, string>(
    (items) =>
      new Promise((resolve, reject) => {
        groups.push([...items]);
        pending.push(() =>
          items.some((i) => failing.has(i)) ? reject(new Error('boom')) : resolve(items.map((i) => `${i}!`)),
        );
      }),
    (item) => item.split('#')[0] as string,
    3,
  );
  const finishNext = async () => {
    pending.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { statement, groups, failing, finishNext };
};

describe('GroupedStatement', () => {
  it('runs a lone call at once and groups the calls made while it is in flight', async () => {
    const { statement, groups, finishNext } = recording();
    const first = statement.submit('a');
    expect(groups).toEqual([['a']]);
    const rest = ['b', 'c', 'd', 'e'].map((k) => statement.submit(k));
    await finishNext();
    expect(groups).toEqual([['a'], ['b', 'c', 'd']]);
    await finishNext();
    await finishNext();
    expect(groups).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
    expect(await Promise.all([first, ...rest])).toEqual(['a!', 'b!', 'c!', 'd!', 'e!']);
  });

  it('never puts two calls with one key in one statement, and keeps their order', async () => {
    const { statement, groups, finishNext } = recording();
    const calls = [statement.submit('x'), statement.submit('a#1'), statement.submit('a#2'), statement.submit('b')];
    await finishNext();
    expect(groups).toEqual([['x'], ['a#1', 'b']]);
    await finishNext();
    await finishNext();
    expect(groups.at(-1)).toEqual(['a#2']);
    expect(await Promise.all(calls)).toEqual(['x!', 'a#1!', 'a#2!', 'b!']);
  });

  it('fails only the calls of the failed statement, then goes on', async () => {
    const { statement, groups, failing, finishNext } = recording();
    failing.add('b');
    const first = statement.submit('a');
    const failed = [statement.submit('b'), statement.submit('c')].map((p) => p.catch((e: Error) => e.message));
    await finishNext();
    await finishNext();
    const after = statement.submit('d');
    await finishNext();
    expect(groups).toEqual([['a'], ['b', 'c'], ['d']]);
    expect([await first, ...(await Promise.all(failed)), await after]).toEqual(['a!', 'boom', 'boom', 'd!']);
  });
});
