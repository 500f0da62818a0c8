import { describe, expect, it } from 'vitest';
import { exampleAutomations } from '../../testing/automations/automationsFixtures.ts';
import { isValidationError } from '../errors/journeyError.ts';
import { compileAutomations } from './compileAutomations.ts';

/** the message compileAutomations throws for `file`, which must be invalid */
const problemOf = (file: unknown): string => {
  try {
    compileAutomations(file, 'automations.json');
  } catch (error) {
    if (isValidationError(error)) return error.message;
    throw error;
  }
  throw new Error('the file was accepted');
};

const withFirst = (change: (automation: Record<string, unknown>) => void) => {
  const file = exampleAutomations();
  const automations = file.automations as unknown as Record<string, unknown>[];
  const first = automations[1];
  if (!first) throw new Error('the example has no second automation');
  change(first);
  return file;
};

describe('compileAutomations', () => {
  it('compiles the example file: an event trigger, a timer of three days and a condition', () => {
    const compiled = compileAutomations(exampleAutomations(), 'automations.json');
    expect(compiled.automations.map((a) => [a.id, a.actionKind, a.trigger.kind])).toEqual([
      ['welcome-email', 'webhook', 'event'],
      ['stuck-3-days', 'slack', 'timer'],
      ['error-support', 'nats', 'event'],
    ]);
    const timer = compiled.byId.get('stuck-3-days')?.trigger;
    expect(timer?.kind === 'timer' && timer.waitMs).toBe(3 * 86_400_000);
    expect([...compiled.remembered]).toEqual(['ProjectCreated']);
    const error = compiled.byId.get('error-support')?.trigger;
    expect(error?.where({ data: { status: 503 } })).toBe(true);
    expect(error?.where({ data: { status: 404 } })).toBe(false);
  });

  it('names the automation and the field of a missing field', () => {
    const message = problemOf(withFirst((a) => delete a.do));
    expect(message).toContain('automation "stuck-3-days" (automations[1]) do:');
  });

  it('names an unknown event type and lists the real ones', () => {
    const message = problemOf(withFirst((a) => (a.when = { after: 'UserSignedIn', wait: 'P3D' })));
    expect(message).toContain('automation "stuck-3-days" (automations[1]) when.after: must be a journey event type');
    expect(message).toContain('UserSignedUp');
  });

  it('names a bad duration, and refuses months for want of a fixed length', () => {
    expect(problemOf(withFirst((a) => (a.when = { after: 'UserSignedUp', wait: '3 days' })))).toContain(
      'automation "stuck-3-days" (automations[1]) when.wait: must be an ISO 8601 duration',
    );
    expect(problemOf(withFirst((a) => (a.when = { after: 'UserSignedUp', wait: 'P1M' })))).toContain(
      'when.wait: uses years or months',
    );
  });

  it('names an invalid webhook URL', () => {
    const file = exampleAutomations('mailer.example/hooks');
    expect(problemOf(file)).toContain(
      'automation "welcome-email" (automations[0]) do.webhook.url: must be an http(s) URL',
    );
  });

  it('names a placeholder that means nothing, a second action and a duplicate id', () => {
    const file = exampleAutomations();
    const [welcome, stuck, error] = file.automations as unknown as Record<string, unknown>[];
    if (!welcome || !stuck || !error) throw new Error('the example has three automations');
    stuck.do = { slack: { channel: '#onboarding', text: 'hello {{person.email}}' } };
    welcome.do = { ...(welcome.do as object), nats: { subject: 'a.b' } };
    error.id = 'welcome-email';
    const message = problemOf(file);
    expect(message).toContain('3 problems');
    expect(message).toContain('do.slack.text: has the placeholder {{person.email}}');
    expect(message).toContain('automation "welcome-email" (automations[0]) do: must name exactly one action');
    expect(message).toContain('automations[2]) id: is already the id of automations[0]');
  });
});
