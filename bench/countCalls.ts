/** Counts the calls to one method of one object from now on (the bench's appends and publishes). */
export const countCalls = <T extends object, K extends keyof T>(target: T, method: K): { readonly count: number } => {
  const original = target[method];
  if (typeof original !== 'function') throw new Error(`${String(method)} is not a method`);
  const calls = { count: 0 };
  target[method] = function (this: unknown, ...args: unknown[]) {
    calls.count++;
    return original.apply(this, args);
  } as T[K];
  return calls;
};
