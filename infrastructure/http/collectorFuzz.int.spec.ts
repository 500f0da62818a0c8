import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestEvents } from '../../application/ingest/ingestEvents.ts';
import { fuzzCase, materialize, type RawAnswer, rawPost } from '../../testing/collector/collectorFuzzCases.ts';
import { writeKeyAuth } from '../../testing/http/writeKeyAuth.ts';
import { sqliteTestFiles } from '../../testing/sqliteTestFiles.ts';
import { SqliteRawLog } from '../sqlite/rawLog/sqliteRawLog.ts';
import { registerCollectorRoutes } from './collectorRoutes.ts';
import { createHttpServer } from './createHttpServer.ts';

/** `npm test` runs a modest number; `npm run test:fuzz` (and the reliability suite) sets more */
const RUNS = Number(process.env.JOURNEY_FUZZ_RUNS ?? 120);
const WRITE_KEY = 'wk_fuzz_0123456789abcdef';
const ANSWERS = new Set([200, 400, 401, 413, 415]);

type Answered = { error?: unknown; message?: unknown; success?: unknown; rejected?: unknown };
type Rejected = { index: number; errors: { path: string; message: string }[] };

describe('collector under fuzzed input (fast-check, real HTTP, SQLite raw log)', () => {
  let files: Awaited<ReturnType<typeof sqliteTestFiles>>;
  let file: string;
  let rawLog: SqliteRawLog;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    files = await sqliteTestFiles('fuzz');
    file = files.file();
    rawLog = new SqliteRawLog(file);
    app = createHttpServer({ logger: false, requestTimeoutMs: 30_000 });
    const ingest = new IngestEvents(rawLog, { now: () => Date.now() }, () => crypto.randomUUID());
    // a limit far above what the run sends, so the rate limiter is on the path without refusing
    registerCollectorRoutes(app, { ingest, writeKeys: new Map([[WRITE_KEY, 'fuzz']]), ratePerMinute: 10_000_000 });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await rawLog?.close();
    await files?.remove();
  });

  it(`answers every request with a 4xx and a reason or stores it, stays up, and stores every valid event exactly once (${RUNS} cases)`, async () => {
    let n = 0;
    const nextId = () => `ok-${++n}`;
    const sentValid = new Map<string, Record<string, unknown>>();
    const acked = new Set<string>();
    const invalidIds = new Set<string>();
    let deadLettersExpected = 0;
    let cases = 0;
    const statuses = new Map<number, number>();

    await fc.assert(
      fc.asyncProperty(fuzzCase, async (fuzz) => {
        cases++;
        const previous = () => [...sentValid.values()].at(n % Math.max(1, sentValid.size));
        const request = materialize(fuzz, fuzz.auth === 'wrong' ? 'wk_wrong' : WRITE_KEY, nextId, previous);
        for (const v of request.valid) sentValid.set(v.messageId, v.event);
        for (const id of request.invalidIds) invalidIds.add(id);
        const headers: Record<string, string> = {};
        if (fuzz.contentType !== undefined) headers['content-type'] = fuzz.contentType;
        if (fuzz.auth === 'header' || fuzz.auth === 'wrong') {
          const key = fuzz.auth === 'wrong' ? 'wk_wrong' : WRITE_KEY;
          headers.authorization = writeKeyAuth(key);
        }
        const answer: RawAnswer = await rawPost(base, fuzz.path, request.bytes, headers);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect(ANSWERS, `status ${answer.status}: ${answer.text.slice(0, 300)}`).toContain(answer.status);
        const body = JSON.parse(answer.text) as Answered;
        if (answer.status >= 400) {
          expect(typeof body.error === 'string' && typeof body.message === 'string' && body.message.length > 0).toBe(
            true,
          );
        }
        const rejected = (Array.isArray(body.rejected) ? body.rejected : []) as Rejected[];
        for (const r of rejected) {
          expect(r.errors.length).toBeGreaterThan(0);
          for (const e of r.errors) expect(e.message.length).toBeGreaterThan(0);
        }
        if (answer.status === 200 || body.error === 'invalid_events') deadLettersExpected += rejected.length;
        if (answer.status === 200) {
          expect(body.success).toBe(true);
          const refused = new Set(rejected.map((r) => r.index));
          for (const v of request.valid) {
            expect(refused.has(v.index), `valid event ${v.messageId} was refused`).toBe(false);
            acked.add(v.messageId);
          }
        }
      }),
      { numRuns: RUNS },
    );

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);

    const db = new Database(file, { readonly: true });
    const idsInLog = () =>
      db
        .prepare<[], { message_id: string }>('SELECT message_id FROM raw_events')
        .all()
        .map((r) => r.message_id);
    const afterFuzz = new Set(idsInLog());
    for (const id of acked) expect(afterFuzz.has(id), `acked ${id} is not in the raw log`).toBe(true);
    for (const id of afterFuzz) expect(id.startsWith('bad-'), `invalid ${id} reached the raw log`).toBe(false);
    const deadLetters = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM dead_letters').get()?.n;
    expect(deadLetters).toBe(deadLettersExpected);

    // every valid event of the run, sent again as a client retrying would: all land, once
    const all = [...sentValid.values()];
    for (let i = 0; i < all.length; i += 200) {
      const batch = all.slice(i, i + 200);
      const answer = await rawPost(
        base,
        '/v1/batch',
        Buffer.from(
          JSON.stringify({ batch }).replace(
            /"__deep_(\d+)__"/g,
            (_, d: string) => `${'['.repeat(Number(d))}${']'.repeat(Number(d))}`,
          ),
        ),
        {
          'content-type': 'application/json',
          authorization: writeKeyAuth(WRITE_KEY),
        },
      );
      expect(answer.status, answer.text.slice(0, 300)).toBe(200);
      const body = JSON.parse(answer.text) as { accepted: number; duplicates: number; rejected?: unknown };
      expect(body.rejected).toBeUndefined();
      expect(body.accepted + body.duplicates).toBe(batch.length);
    }
    const final = idsInLog();
    expect(final).toHaveLength(new Set(final).size);
    expect(new Set(final)).toEqual(new Set(sentValid.keys()));
    db.close();

    const crashes = [...statuses].filter(([status]) => status >= 500).length;
    process.stdout.write(
      `collector fuzz: ${cases} cases, ${crashes} crashes, answers ${JSON.stringify(Object.fromEntries(statuses))}, ${sentValid.size} valid events stored once each, ${deadLettersExpected} dead-lettered with a reason\n`,
    );
  }, 600_000);
});
