/** The collector's `Authorization` value for a write key: Basic with the key as the user, as Segment's SDKs send it. */
export const writeKeyAuth = (writeKey: string): string => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
