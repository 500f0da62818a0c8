import { Readable } from 'node:stream';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { HttpError } from './httpError.ts';

const decoders: Readonly<Record<string, () => Gunzip | Inflate>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
};

/** fastify compares this with Content-Length once the body has been read */
type DecodedStream = Readable & { receivedEncodedLength: number };

const tooLarge = (limit: number, what: string) =>
  new HttpError(
    413,
    'payload_too_large',
    `the request body is over the ${Math.floor(limit / 1024)} KB limit ${what}; split the batch into smaller requests`,
  );

/**
 * The request body as the JSON parser should see it: as sent, or decompressed when
 * `Content-Encoding` is gzip or deflate (Segment's API takes both; RudderStack's Node SDK
 * gzips by default). The limit applies to both the compressed and the decompressed bytes, and
 * decompression stops at the limit, so a small decompression bomb costs at most `limit` bytes.
 */
export const decodedBody = (contentEncoding: string | undefined, payload: Readable, limit: number): Readable => {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return payload;
  const decoder = Object.hasOwn(decoders, encoding) ? decoders[encoding]?.() : undefined;
  if (decoder === undefined) {
    throw new HttpError(
      415,
      'unsupported_encoding',
      `Content-Encoding ${contentEncoding} is not supported; send the body uncompressed or compressed with gzip or deflate`,
    );
  }
  const fail = (error: Error) => {
    payload.off('data', countEncoded);
    payload.unpipe(decoder);
    decoder.destroy();
    body.destroy(error);
  };
  let encoded = 0;
  let decoded = 0;
  const countEncoded = (chunk: Buffer) => {
    encoded += chunk.length;
    body.receivedEncodedLength = encoded;
    if (encoded > limit) fail(tooLarge(limit, 'even compressed'));
  };
  // Wired on the first read, once fastify listens: an error emitted before would go unheard.
  let started = false;
  const start = () => {
    started = true;
    payload.on('data', countEncoded);
    payload.once('error', fail);
    decoder.on('data', (chunk: Buffer) => {
      decoded += chunk.length;
      if (decoded > limit) fail(tooLarge(limit, 'once decompressed (the limit applies to the decompressed JSON)'));
      else if (!body.push(chunk)) decoder.pause();
    });
    // gunzip ends at the end of its data and ignores what follows (zeros, say); that rest is
    // still read, and counted against the limit, before the body is complete
    let payloadEnded = false;
    let decoderEnded = false;
    payload.once('end', () => {
      payloadEnded = true;
      if (decoderEnded) body.push(null);
    });
    decoder.once('end', () => {
      decoderEnded = true;
      if (payloadEnded) {
        body.push(null);
      } else {
        payload.unpipe(decoder);
        payload.resume();
      }
    });
    decoder.once('error', (error) =>
      fail(
        new HttpError(
          400,
          'invalid_encoding',
          `the body is not valid ${encoding} data (${error.message}); compress the whole JSON body with ${encoding}, or send it uncompressed without Content-Encoding`,
        ),
      ),
    );
    payload.pipe(decoder);
  };
  const body = new Readable({
    read() {
      if (started) decoder.resume();
      else start();
    },
  }) as DecodedStream;
  body.receivedEncodedLength = 0;
  return body;
};
