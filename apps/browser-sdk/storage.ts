/** The little of Web Storage the SDK needs, so tests can hand in a Map-backed one. */
export type KeyValueStorage = {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
};

export const memoryStorage = (): KeyValueStorage => {
  const values = new Map<string, string>();
  return {
    get: (key) => values.get(key) ?? null,
    set: (key, value) => void values.set(key, value),
    remove: (key) => void values.delete(key),
  };
};

/** localStorage throws in Safari private mode, sandboxed iframes and with cookies blocked. */
const localStorageOrNull = (): Storage | null => {
  try {
    const probe = '__journey_probe__';
    localStorage.setItem(probe, probe);
    localStorage.removeItem(probe);
    return localStorage;
  } catch {
    return null;
  }
};

/**
 * First-party storage: localStorage, else a cookie (only for small values such as the
 * anonymousId — the queue would overflow a cookie), else memory. A quota error on write is
 * swallowed: losing persistence must never break the host page.
 */
export const browserStorage = (): KeyValueStorage => {
  const local = localStorageOrNull();
  const memory = memoryStorage();
  if (local !== null) {
    return {
      get: (key) => local.getItem(key) ?? memory.get(key),
      set: (key, value) => {
        try {
          local.setItem(key, value);
        } catch {
          memory.set(key, value);
        }
      },
      remove: (key) => {
        local.removeItem(key);
        memory.remove(key);
      },
    };
  }
  const cookieOk = typeof document !== 'undefined' && navigator.cookieEnabled;
  const readCookie = (key: string): string | null => {
    const entry = document.cookie.split('; ').find((c) => c.startsWith(`${key}=`));
    return entry === undefined ? null : decodeURIComponent(entry.slice(key.length + 1));
  };
  return {
    get: (key) => (cookieOk ? (readCookie(key) ?? memory.get(key)) : memory.get(key)),
    set: (key, value) => {
      memory.set(key, value);
      if (cookieOk && value.length < 1024) {
        // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is async and missing in Firefox and older Safari
        document.cookie = `${key}=${encodeURIComponent(value)}; path=/; max-age=31536000; SameSite=Lax`;
      }
    },
    remove: (key) => {
      memory.remove(key);
      // biome-ignore lint/suspicious/noDocumentCookie: as above
      if (cookieOk) document.cookie = `${key}=; path=/; max-age=0`;
    },
  };
};
