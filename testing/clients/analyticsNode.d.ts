/**
 * The legacy `analytics-node` (6.x) ships no types, and `@types/analytics-node` describes 3.x;
 * this is the part of its API the compatibility suite calls.
 */
declare module 'analytics-node' {
  type Message = Record<string, unknown>;
  type Callback = (error?: Error) => void;
  export default class Analytics {
    constructor(writeKey: string, options?: { host?: string; errorHandler?: (error: Error) => void });
    identify(message: Message, callback?: Callback): this;
    track(message: Message, callback?: Callback): this;
    page(message: Message, callback?: Callback): this;
    flush(callback?: Callback): Promise<unknown>;
  }
}
