import { cssSelector, elementText } from './cssSelector.ts';
import type { JourneyClient } from './journeyClient.ts';

export type AutoCaptureOptions = {
  readonly clicks?: boolean;
  readonly pageViews?: boolean;
  readonly visibility?: boolean;
  readonly viewport?: boolean;
};

const CLICKABLE = 'a, button, [role="button"], input[type="button"], input[type="submit"]';
const RESIZE_DEBOUNCE_MS = 250;

/**
 * Wire events in Segment's "Object Action" naming (`Element Clicked`, `Visibility Changed`, `Viewport
 * Resized`); page views, SPA route changes included, are `page` calls. Every listener is passive and
 * only queues: nothing here waits on the network.
 */
export const startAutoCapture = (client: JourneyClient, options: AutoCaptureOptions): (() => void) => {
  const stops: (() => void)[] = [];
  const listen = (target: EventTarget, type: string, handler: (event: Event) => void, capture = false) => {
    target.addEventListener(type, handler, { capture, passive: true });
    stops.push(() => target.removeEventListener(type, handler, { capture }));
  };

  if (options.clicks !== false) {
    // capture phase: a handler that stops propagation in the app must not hide the click
    listen(
      document,
      'click',
      (event) => {
        const target = event.target instanceof Element ? event.target.closest(CLICKABLE) : null;
        if (target === null) return;
        const href = target instanceof HTMLAnchorElement ? target.href : undefined;
        client.track('Element Clicked', {
          tagName: target.tagName.toLowerCase(),
          text: elementText(target),
          selector: cssSelector(target),
          ...(href === undefined || href === '' ? {} : { href }),
          ...(target.id === '' ? {} : { elementId: target.id }),
        });
      },
      true,
    );
  }

  if (options.pageViews !== false) {
    let lastUrl = location.href;
    client.page();
    const changed = () => {
      if (location.href === lastUrl) return;
      lastUrl = location.href;
      client.page();
    };
    for (const method of ['pushState', 'replaceState'] as const) {
      const original = history[method];
      history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
        const result = original.apply(this, args);
        changed();
        return result;
      };
      stops.push(() => {
        history[method] = original;
      });
    }
    listen(window, 'popstate', changed);
  }

  if (options.visibility !== false) {
    listen(document, 'visibilitychange', () => client.track('Visibility Changed', { state: document.visibilityState }));
  }

  if (options.viewport !== false) {
    const measure = (initial: boolean) =>
      client.track('Viewport Resized', { width: window.innerWidth, height: window.innerHeight, initial });
    measure(true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    listen(window, 'resize', () => {
      clearTimeout(timer);
      timer = setTimeout(() => measure(false), RESIZE_DEBOUNCE_MS);
    });
  }

  // the last chance to send: hidden tabs may be discarded without another event
  listen(document, 'visibilitychange', () => {
    if (document.visibilityState === 'hidden') client.dispatcher.unload();
  });
  listen(window, 'pagehide', () => client.dispatcher.unload());
  listen(window, 'online', () => void client.flush());
  return () => {
    for (const stop of stops.splice(0)) stop();
  };
};
