/**
 * Configuration of Slack alerts (issue 5): zod fields merged into the one config schema.
 * Empty until the alerter lands.
 */
export const alertsConfigShape = {};
