import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  REPORT_EVENT_TYPE,
  REPORT_STREAM,
  type UsersByActivationStageReported,
} from '../../domain/report/usersByActivationStageReported.ts';
import { MemoryEventStore } from '../../testing/memory/memoryEventStore.ts';
import { lastReportedAsOf } from './lastReportedAsOf.ts';

const report = (date: string, forced = false): UsersByActivationStageReported => ({
  date,
  timeZone: 'UTC',
  asOf: `${date}T23:59:59.999Z`,
  windowDays: 7,
  newSignups: 1,
  stages: { signedUp: { count: 1 }, activated: { count: 0 }, active: { count: 0 }, inactive: { count: 0 } },
  forced,
});

describe('lastReportedAsOf', () => {
  it("is the latest day's end, even when a forced resend of an older day came after it", async () => {
    const store = new MemoryEventStore();
    expect(await lastReportedAsOf(store)).toBeUndefined();
    for (const recorded of [report('2026-03-09'), report('2026-03-10'), report('2026-03-01', true)])
      await store.append(REPORT_STREAM, [{ id: randomUUID(), type: REPORT_EVENT_TYPE, data: recorded }]);
    expect(await lastReportedAsOf(store)).toBe(Date.parse('2026-03-10T23:59:59.999Z'));
    await store.close();
  });
});
