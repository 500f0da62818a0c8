import type { Migration } from './migration.ts';

/**
 * Version 5 belongs to a change made on another branch; until it arrives this step keeps the
 * numbering without gaps. Replace it with that migration when both meet.
 */
export const reservedMigration: Migration = { version: 5, name: 'reserved', sql: 'SELECT 1' };
