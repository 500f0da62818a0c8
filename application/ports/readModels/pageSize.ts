import { ValidationError } from '../../../domain/errors/journeyError.ts';

/** users per page of `activityHistories` when the reader does not say */
export const DEFAULT_PAGE_SIZE = 1_000;

/** the page size asked for, checked: a whole positive number */
export const pageSizeOf = (pageSize: number | undefined): number => {
  const size = pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1) {
    throw new ValidationError(`pageSize=${size} is not a whole number of at least 1; ask for 1,000 users a page`);
  }
  return size;
};
