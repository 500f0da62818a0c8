/** the apps `journey start` runs; each is also a command of its own (`journey collector`, …) */
export const appNames = ['collector', 'mapper', 'projector', 'api', 'alerter', 'automator', 'reporter'] as const;

export type AppName = (typeof appNames)[number];
