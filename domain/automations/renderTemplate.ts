import { readPath } from '../mapping/compileRules.ts';

/**
 * `{{user.email}} signed up`: placeholders are dotted paths into what triggered the automation
 * (`userId`, `automation`, `event.type`, `event.occurredAt`, `data.*`, `user.*`). A missing value
 * renders as an empty string, so a message never fails for want of an optional field.
 */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PATH = /^(userId|automation|event\.(type|occurredAt)|(data|user)(\.[A-Za-z0-9_$-]+)+)$/;

export const templateProblem = (text: string): string | undefined => {
  for (const [, path = ''] of text.matchAll(PLACEHOLDER)) {
    if (!PATH.test(path))
      return `has the placeholder {{${path}}}; use userId, automation, event.type, event.occurredAt, data.<field> or user.<trait> such as {{user.email}}`;
  }
  return undefined;
};

const textOf = (value: unknown): string =>
  value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);

export const renderTemplate = (text: string, context: unknown): string =>
  text.replace(PLACEHOLDER, (_, path: string) => textOf(readPath(context, path.split('.'))));
