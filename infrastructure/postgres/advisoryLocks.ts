/**
 * The transaction- and session-level advisory lock keys every Journey process takes, in one
 * place so that no two purposes share a number (the automation writers once shared the index
 * builds' key, and each waited for the other). Any fixed numbers, the same in every process.
 */
export const ADVISORY_LOCKS = {
  /** schema migrations: several processes starting at once migrate once */
  migration: '7349201554',
  /** the alert projection, the slow-deployment timer and the alert rebuild's swap take turns */
  alertWriters: '7349201555',
  /** building the read-model indexes after a bulk load */
  indexBuild: '7349201556',
  /** the raw-event index's writers: versions commit in order */
  rawEventWriters: '7349201557',
  /** the automations projection, its timer tick and its rebuild's swap take turns */
  automationWriters: '7349201558',
} as const;
