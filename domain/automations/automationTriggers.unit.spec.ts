import { describe, expect, it } from 'vitest';
import { exampleAutomations } from '../../testing/automations/automationsFixtures.ts';
import type { AnyJourneyEvent } from '../journey/journeyEvent.ts';
import { type AutomationTimer, decideOnEvent, fireTimer } from './automationTriggers.ts';
import { compileAutomations } from './compileAutomations.ts';
import { type AutomationUser, evolveAutomationUser } from './userTraits.ts';

const automations = compileAutomations(exampleAutomations(), 'automations.json');
const rules = { maxAgeMs: 60 * 60_000, windowDays: 15 };
const options = { meaningful: new Set(['ProjectCreated'] as const), remembered: automations.remembered };
const SIGNED_UP = '2026-05-01T12:00:00.000Z';
const NOW = Date.parse(SIGNED_UP) + 1_000;

const event = (type: AnyJourneyEvent['type'], occurredAt: string, data: Record<string, unknown> = {}) =>
  ({ type, data, metadata: { occurredAt, sourceMessageIds: ['m'], ruleId: 'r' } }) as AnyJourneyEvent;

/** the user after `events`, and each event's decision on the way, with waiting timers carried along */
const run = (events: { id: string; event: AnyJourneyEvent }[], now = NOW) => {
  let user: AutomationUser | undefined;
  let waiting: AutomationTimer[] = [];
  const decisions = events.map(({ id, event: e }) => {
    user = evolveAutomationUser(user, 'ada', e, options);
    const decision = decideOnEvent(automations, { id, userId: 'ada', event: e }, user, waiting, now, rules);
    waiting = [...waiting.filter((t) => !decision.cancelled.includes(t.id)), ...decision.timers];
    return decision;
  });
  return { user, waiting, decisions };
};

describe('decideOnEvent and fireTimer', () => {
  it('a sign-up fires the welcome webhook and starts the three-day timer, both named by automation and event', () => {
    const { decisions, waiting } = run([{ id: 'e1', event: event('UserSignedUp', SIGNED_UP, { email: 'ada@x.io' }) }]);
    expect(decisions[0]?.deliveries.map((d) => [d.id, d.action, d.payload.user.email])).toEqual([
      ['welcome-email:e1', 'webhook', 'ada@x.io'],
    ]);
    expect(waiting.map((t) => [t.id, t.dueAt])).toEqual([['stuck-3-days:e1', '2026-05-04T12:00:00.000Z']]);
  });

  it('a project created within the wait cancels the timer; one created before the sign-up does not', () => {
    const cancelled = run([
      { id: 'e1', event: event('UserSignedUp', SIGNED_UP) },
      { id: 'e2', event: event('ProjectCreated', '2026-05-02T09:00:00.000Z') },
    ]);
    expect(cancelled.decisions[1]?.cancelled).toEqual(['stuck-3-days:e1']);
    expect(cancelled.waiting).toEqual([]);
    const before = run([
      { id: 'e0', event: event('ProjectCreated', '2026-04-30T09:00:00.000Z') },
      { id: 'e1', event: event('UserSignedUp', SIGNED_UP) },
    ]);
    expect(before.waiting.map((t) => t.id)).toEqual(['stuck-3-days:e1']);
  });

  it('a project that arrives late but happened within the wait keeps the timer from starting', () => {
    const late = run([
      { id: 'e2', event: event('ProjectCreated', '2026-05-02T09:00:00.000Z') },
      { id: 'e1', event: event('UserSignedUp', SIGNED_UP) },
    ]);
    expect(late.waiting).toEqual([]);
  });

  it('conditions read the event data: only a 5xx error reaches support', () => {
    const { decisions } = run([
      { id: 'e1', event: event('ErrorEncountered', SIGNED_UP, { status: 404 }) },
      { id: 'e2', event: event('ErrorEncountered', SIGNED_UP, { status: 502 }) },
    ]);
    expect(decisions.map((d) => d.deliveries.map((x) => x.id))).toEqual([[], ['error-support:e2']]);
  });

  it('nothing fires for history older than the max age, and a timer past its instant by more fires nothing', () => {
    const later = NOW + 2 * 60 * 60_000;
    const { decisions } = run([{ id: 'e1', event: event('UserSignedUp', SIGNED_UP) }], later);
    expect(decisions[0]?.deliveries).toEqual([]);
    const timer = run([{ id: 'e1', event: event('UserSignedUp', SIGNED_UP, { email: 'ada@x.io' }) }]);
    const [waiting] = timer.waiting;
    if (!waiting) throw new Error('no timer started');
    const due = Date.parse(waiting.dueAt);
    expect(fireTimer(automations, waiting, timer.user, due + 2 * 60 * 60_000, rules)).toBeUndefined();
    const fired = fireTimer(automations, waiting, timer.user, due + 1_000, rules);
    expect(fired).toMatchObject({
      id: 'stuck-3-days:e1',
      action: 'slack',
      triggeredAt: waiting.dueAt,
      payload: { user: { email: 'ada@x.io', daysSinceSignUp: 3, stage: 'signedUp' }, trigger: { kind: 'timer' } },
    });
  });
});
