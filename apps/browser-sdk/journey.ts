import { type AutoCaptureOptions, startAutoCapture } from './autoCapture.ts';
import { browserScheduler } from './dispatcher.ts';
import type { Traits } from './identity.ts';
import { type ClientOptions, JourneyClient, type Properties } from './journeyClient.ts';
import { randomId } from './randomId.ts';
import { browserStorage } from './storage.ts';
import { fetchTransport } from './transport.ts';

export type InitOptions = ClientOptions & {
  /** the collector's origin, e.g. https://journey.example.com (default: this page's origin) */
  readonly host?: string;
  /** false turns every auto-captured event off; or choose them one by one */
  readonly autoCapture?: boolean | AutoCaptureOptions;
};

const pageContext = () => ({
  page: {
    path: location.pathname,
    referrer: document.referrer,
    search: location.search,
    title: document.title,
    url: location.href,
  },
  userAgent: navigator.userAgent,
  locale: navigator.language,
  screen: { width: screen.width, height: screen.height },
});

type Call = (client: JourneyClient) => void;

/**
 * The browser-facing API. Calls made before `init` (a script tag that loads late) are kept
 * and replayed once the client exists, as Segment's snippet does. Every method returns at
 * once: the network is touched only from timers and beacons.
 */
export const createJourney = () => {
  let client: JourneyClient | undefined;
  let stopCapture: (() => void) | undefined;
  const early: Call[] = [];
  const call = (fn: Call) => (client === undefined ? early.push(fn) : fn(client));

  return {
    init(options: InitOptions): void {
      if (client !== undefined) return;
      const host = (options.host ?? location.origin).replace(/\/+$/, '');
      client = new JourneyClient(options, {
        storage: browserStorage(),
        transport: fetchTransport(`${host}/v1/batch`),
        scheduler: browserScheduler,
        newId: randomId,
        context: pageContext,
      });
      for (const fn of early.splice(0)) fn(client);
      const auto = options.autoCapture ?? true;
      if (auto !== false) stopCapture = startAutoCapture(client, auto === true ? {} : auto);
    },
    identify: (userId: string, traits?: Traits) => call((c) => c.identify(userId, traits)),
    track: (event: string, properties?: Properties) => call((c) => c.track(event, properties)),
    page: (name?: string, properties?: Properties) => call((c) => c.page(name, properties)),
    reset: () => call((c) => c.reset()),
    flush: (): Promise<void> => client?.flush() ?? Promise.resolve(),
    anonymousId: (): string | undefined => client?.identity.current().anonymousId,
    /** stops auto-capture (for tests and single-page teardown); queued events stay queued */
    stop(): void {
      stopCapture?.();
      stopCapture = undefined;
    },
  };
};

export type Journey = ReturnType<typeof createJourney>;

export const journey: Journey = createJourney();
