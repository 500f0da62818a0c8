import { ValidationError } from '../../domain/errors/journeyError.ts';
import type { RawEventCursor } from '../ports/rawEventIndex/rawEventIndex.ts';

/** The `next` of a page as one opaque URL-safe string (base64url of `receivedAt` NUL `messageId`). */
export const encodeCursor = (cursor: RawEventCursor): string =>
  Buffer.from(`${cursor.receivedAt}\u0000${cursor.messageId}`).toString('base64url');

export const decodeCursor = (text: string): RawEventCursor => {
  const [receivedAt, messageId, extra] = Buffer.from(text, 'base64url').toString('utf8').split('\u0000');
  if (
    receivedAt === undefined ||
    messageId === undefined ||
    extra !== undefined ||
    Number.isNaN(Date.parse(receivedAt))
  )
    throw new ValidationError(`before=${text} is not a cursor this API gave; pass the \`next\` of the previous page`, [
      { path: 'before', message: 'must be the `next` of a previous page' },
    ]);
  return { receivedAt, messageId };
};
