import type { Stage } from '../stage/stage.ts';

/** What each stage means, in words for the people reading the report (see stage.ts). */
export const stageTitles: Record<Stage, string> = {
  signedUp: 'Signed up',
  activated: 'Activated',
  active: 'Active',
  inactive: 'Inactive',
};

export const stageDefinitionOf = (stage: Stage, windowDays: number): string => {
  switch (stage) {
    case 'signedUp':
      return 'Signed up, but no meaningful activity yet.';
    case 'activated':
      return `Meaningful activity on exactly one day, the latest within the last ${windowDays} days.`;
    case 'active':
      return `Meaningful activity on two or more days, the latest within the last ${windowDays} days.`;
    case 'inactive':
      return `Had meaningful activity, but none in the last ${windowDays} days.`;
    default: {
      const unknown: never = stage;
      return unknown;
    }
  }
};
