import type { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors/journeyError.ts';
import type { JourneyEventType } from '../journey/journeyEvent.ts';
import { compileWhen, type EventPredicate, formatPath } from '../mapping/compileRules.ts';
import {
  type Action,
  type ActionKind,
  type AutomationsFile,
  actionKinds,
  automationsFileSchema,
} from './automationsFile.ts';
import { durationMs } from './durationMs.ts';

export type CompiledTrigger =
  | { readonly kind: 'event'; readonly event: JourneyEventType; readonly where: EventPredicate }
  | {
      readonly kind: 'timer';
      readonly after: JourneyEventType;
      readonly wait: string;
      readonly waitMs: number;
      readonly unless: ReadonlySet<JourneyEventType>;
      readonly where: EventPredicate;
    };

export type CompiledAutomation = {
  readonly id: string;
  readonly trigger: CompiledTrigger;
  readonly action: Action;
  readonly actionKind: ActionKind;
  /** it has a `where` */
  readonly conditional: boolean;
};

export type CompiledAutomations = {
  /** where they came from (a file path), for messages */
  readonly source: string;
  readonly automations: readonly CompiledAutomation[];
  readonly byId: ReadonlyMap<string, CompiledAutomation>;
  /** event types some timer's `unless` names: the projection remembers when they happened */
  readonly remembered: ReadonlySet<JourneyEventType>;
};

const always: EventPredicate = () => true;

const idAt = (config: unknown, index: number): string | undefined => {
  const list = (config as { automations?: unknown } | null)?.automations;
  const id = Array.isArray(list) ? (list[index] as { id?: unknown } | null)?.id : undefined;
  return typeof id === 'string' ? id : undefined;
};

const toIssue = (config: unknown, issue: z.core.$ZodIssue): ValidationIssue => {
  const [first, index, ...inside] = issue.path;
  const path = formatPath(issue.path) || '(root)';
  if (first !== 'automations' || typeof index !== 'number') return { path, message: `${path}: ${issue.message}` };
  const id = idAt(config, index);
  const where = id === undefined ? `automations[${index}]` : `automation "${id}" (automations[${index}])`;
  return { path, message: `${where}${inside.length === 0 ? '' : ` ${formatPath(inside)}`}: ${issue.message}` };
};

const compileOne = (automation: AutomationsFile['automations'][number]): CompiledAutomation => {
  const when = automation.when;
  const where = when.where === undefined ? always : compileWhen(when.where);
  const trigger: CompiledTrigger =
    'event' in when
      ? { kind: 'event', event: when.event, where }
      : {
          kind: 'timer',
          after: when.after,
          wait: when.wait,
          waitMs: durationMs(when.wait),
          unless: new Set(when.unless ?? []),
          where,
        };
  const actionKind = actionKinds.find((k) => automation.do[k] !== undefined) ?? 'webhook';
  return { id: automation.id, trigger, action: automation.do, actionKind, conditional: when.where !== undefined };
};

/**
 * Validates an automations file and compiles its conditions once. Throws a ValidationError naming
 * `source`, the automation id and the field at fault, with what to write instead.
 */
export const compileAutomations = (config: unknown, source: string): CompiledAutomations => {
  const parsed = automationsFileSchema.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => toIssue(config, issue));
    const count = issues.length === 1 ? 'a problem' : `${issues.length} problems`;
    throw new ValidationError(
      `automations in ${source} have ${count}:\n${issues.map((i) => `  - ${i.message}`).join('\n')}`,
      issues,
    );
  }
  const automations = parsed.data.automations.map(compileOne);
  const remembered = new Set(automations.flatMap((a) => (a.trigger.kind === 'timer' ? [...a.trigger.unless] : [])));
  return { source, automations, byId: new Map(automations.map((a) => [a.id, a])), remembered };
};

export const noAutomations: CompiledAutomations = {
  source: 'no automations',
  automations: [],
  byId: new Map(),
  remembered: new Set(),
};
