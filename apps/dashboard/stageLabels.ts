import type { Stage } from '../../domain/stage/stage.ts';

/** In the funnel's order; the domain's own list, restated because the page bundles no domain code. */
export const stageOrder: readonly Stage[] = ['signedUp', 'activated', 'active', 'inactive'];

export const stageLabel: Record<Stage, string> = {
  signedUp: 'Signed up',
  activated: 'Activated',
  active: 'Active',
  inactive: 'Inactive',
};

export const stageHint = (stage: Stage, windowDays: number): string =>
  ({
    signedUp: 'no meaningful activity yet',
    activated: `active on one day, within ${windowDays} days`,
    active: `active on two or more days, within ${windowDays} days`,
    inactive: `no activity in the last ${windowDays} days`,
  })[stage];
