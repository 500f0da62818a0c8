/**
 * Configuration of the EventStoreDB adapter (issue 4): zod fields merged into the one config
 * schema. Empty until the adapter lands.
 */
export const eventStoreConfigShape = {};
