import { isUnavailableError } from '../../domain/errors/journeyError.ts';
import { isStorageFailure } from '../sqlite/storageFailure.ts';

/**
 * A handler failure that says nothing about the events it was given: a database away or a write
 * the storage refused (disk full, `ulimit -f`). Consumers retry such a delivery until it goes
 * through or the process stops; dead-lettering it would lose good events to a passing fault.
 */
export const blamesTheStorage = (error: unknown): boolean => isUnavailableError(error) || isStorageFailure(error);
