import { writeKeyAuth } from '../http/writeKeyAuth.ts';

/** POST /v1/batch to the collector at `url`, signed with `writeKey`. */
export const postBatch = (
  url: string,
  writeKey: string,
  batch: readonly unknown[],
  options: { readonly signal?: AbortSignal } = {},
): Promise<Response> =>
  fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: writeKeyAuth(writeKey) },
    body: JSON.stringify({ batch }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
