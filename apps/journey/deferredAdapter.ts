/**
 * An adapter usable before it is open: the composition root binds it synchronously, and each
 * call waits for `open` (once) before it goes through. Only the methods the real class has are
 * there, so optional capabilities (`beginBulkLoad?`) are still seen as absent when absent.
 * `ready()` opens it, so start-up fails fast with the adapter's own message; an open that failed
 * is tried again by the next call.
 */
export const deferredAdapter = <T extends object>(
  open: () => Promise<T>,
  prototype: object,
  synchronous: Partial<Record<keyof T, (opened: Promise<T>, ...args: never[]) => unknown>> = {},
): T & { ready(): Promise<void> } => {
  let opened: Promise<T> | undefined;
  const adapter = (): Promise<T> => {
    // a failed open is forgotten: a server that was down is tried again on the next call
    opened ??= open().catch((error: unknown) => {
      opened = undefined;
      throw error;
    });
    return opened;
  };
  const methods: Record<string, unknown> = {
    ready: async () => {
      await adapter();
    },
  };
  for (const name of methodNames(prototype)) {
    const sync = (synchronous as Record<string, ((opened: Promise<T>, ...args: unknown[]) => unknown) | undefined>)[
      name
    ];
    methods[name] = sync
      ? (...args: unknown[]) => sync(adapter(), ...args)
      : isAsyncGenerator(prototype, name)
        ? // an async iterable must be returned as one, not as a promise of one (`for await` needs it at once)
          async function* (...args: unknown[]) {
            const real = (await adapter()) as Record<string, (...a: unknown[]) => AsyncIterable<unknown>>;
            yield* real[name]?.(...args) ?? [];
          }
        : async (...args: unknown[]) => {
            // closing what was never opened opens nothing
            if (name === 'close' && opened === undefined) return undefined;
            const real = (await adapter()) as Record<string, (...a: unknown[]) => unknown>;
            return real[name]?.(...args);
          };
  }
  return methods as T & { ready(): Promise<void> };
};

const isAsyncGenerator = (prototype: object, name: string): boolean => {
  for (let p: object | null = prototype; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const method = Object.getOwnPropertyDescriptor(p, name)?.value as unknown;
    if (method !== undefined) return Object.prototype.toString.call(method) === '[object AsyncGeneratorFunction]';
  }
  return false;
};

/** the methods of a class and of the classes it extends */
const methodNames = (prototype: object): Set<string> => {
  const names = new Set<string>();
  for (let p: object | null = prototype; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p))
    for (const name of Object.getOwnPropertyNames(p)) if (name !== 'constructor') names.add(name);
  return names;
};
