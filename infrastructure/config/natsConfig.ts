/**
 * Configuration of the NATS JetStream raw log (issue 3): zod fields merged into the one
 * config schema. Empty until the adapter lands.
 */
export const natsConfigShape = {};
