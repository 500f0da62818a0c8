/**
 * The `Access-Control-Allow-Origin` answer for a request's `Origin`: `*` when any origin is
 * allowed (the default — the write key, not the origin, authorizes), the origin itself when it
 * is one of the configured ones, none otherwise (the browser then refuses the response).
 */
export const corsOrigin =
  (allowed: readonly string[] = ['*']) =>
  (requestOrigin: string | undefined): string | undefined => {
    if (allowed.includes('*')) return '*';
    return requestOrigin !== undefined && allowed.includes(requestOrigin) ? requestOrigin : undefined;
  };
