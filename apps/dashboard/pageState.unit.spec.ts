import { describe, expect, it } from 'vitest';
import { fragmentOf, pageStateFromFragment } from './pageState.ts';

const NOW = Date.parse('2026-03-10T15:00:00.000Z');

describe('the page state in the URL fragment', () => {
  it('defaults to the last 30 UTC days, stage counts as of today', () => {
    expect(pageStateFromFragment('', NOW)).toEqual({ from: '2026-02-09', to: '2026-03-10', asOf: '2026-03-10' });
  });

  it('reads from, to, asOf and user, ignoring values that are not days', () => {
    expect(pageStateFromFragment('#from=2026-01-01&to=2026-01-31&asOf=2026-01-15&user=a%20b', NOW)).toEqual({
      from: '2026-01-01',
      to: '2026-01-31',
      asOf: '2026-01-15',
      user: 'a b',
    });
    expect(pageStateFromFragment('#from=yesterday&to=2026-02-30x&user=', NOW)).toEqual(pageStateFromFragment('', NOW));
  });

  it('reads and writes the live events page and its filters, leaving out empty ones', () => {
    const state = pageStateFromFragment('#view=live&live.userId=ada&live.status=rejected&live.event=', NOW);
    expect(state).toMatchObject({ view: 'live', live: { userId: 'ada', status: 'rejected' } });
    expect(state.live).not.toHaveProperty('event');
    expect(pageStateFromFragment(fragmentOf(state), NOW)).toEqual(state);
    expect(pageStateFromFragment('#view=other', NOW)).not.toHaveProperty('view');
  });

  it('writes what it reads, and never a token', () => {
    const state = { from: '2026-01-01', to: '2026-01-31', asOf: '2026-01-15', user: 'ada&co' };
    expect(pageStateFromFragment(fragmentOf(state), NOW)).toEqual(state);
    expect(fragmentOf(pageStateFromFragment('#token=secret&from=2026-01-01', NOW))).not.toContain('secret');
  });
});
