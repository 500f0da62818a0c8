import type { ApiClient, RawEventView } from './apiClient.ts';
import { render } from './html.ts';
import { liveEventDetail, liveEventList } from './liveEventsView.ts';
import type { LiveFilter } from './pageState.ts';
import { followRawEvents, type StreamState } from './rawEventStream.ts';

const MAX_SHOWN = 500;

export type LivePageElements = {
  readonly list: HTMLElement;
  readonly detail: HTMLElement;
  readonly state: HTMLElement;
  readonly pause: HTMLButtonElement;
  readonly more: HTMLButtonElement;
};

const newestFirst = (a: RawEventView, b: RawEventView): number =>
  a.receivedAt === b.receivedAt ? b.messageId.localeCompare(a.messageId) : a.receivedAt < b.receivedAt ? 1 : -1;

/**
 * The live events page: the newest page of raw events, then every change as it streams in. Paused,
 * changes wait in a queue and the list stands still; resumed, they apply at once.
 */
export class LivePage {
  private events = new Map<string, RawEventView>();
  private queued: RawEventView[] = [];
  private paused = false;
  private selected: string | undefined;
  private next: string | null = null;
  private stop: (() => void) | undefined;
  private streamState: StreamState = 'connecting';

  constructor(private readonly elements: LivePageElements) {}

  /** (re)starts on a filter: loads the newest page, then follows */
  async open(api: ApiClient, token: string, filter: LiveFilter, onError: (error: unknown) => void): Promise<void> {
    this.close();
    this.events.clear();
    this.queued = [];
    this.selected = undefined;
    const query = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== '')) as Record<
      string,
      string
    >;
    // follow first, so nothing written while the page loads is missed (an event in both is kept once)
    this.stop = followRawEvents(
      token,
      query,
      (e) => this.receive(e),
      (s) => this.showState(s),
    );
    try {
      const page = await api.rawEvents(query);
      for (const e of page.events) if (!this.events.has(e.messageId)) this.events.set(e.messageId, e);
      this.next = page.next;
      this.draw();
    } catch (error) {
      onError(error);
    }
  }

  async loadOlder(api: ApiClient, filter: LiveFilter): Promise<void> {
    if (this.next === null) return;
    const page = await api.rawEvents(filter as Record<string, string>, this.next);
    for (const e of page.events) if (!this.events.has(e.messageId)) this.events.set(e.messageId, e);
    this.next = page.next;
    this.draw();
  }

  close(): void {
    this.stop?.();
    this.stop = undefined;
  }

  togglePause(): void {
    this.paused = !this.paused;
    if (!this.paused) {
      for (const e of this.queued.splice(0)) this.events.set(e.messageId, e);
      this.draw();
    }
    this.showState(this.streamState);
  }

  select(messageId: string): void {
    this.selected = messageId;
    this.draw();
  }

  private receive(e: RawEventView): void {
    if (this.paused) {
      this.queued.push(e);
      this.showState(this.streamState);
      return;
    }
    this.events.set(e.messageId, e);
    this.draw();
  }

  private draw(): void {
    const shown = [...this.events.values()].sort(newestFirst).slice(0, MAX_SHOWN);
    render(this.elements.list, liveEventList(shown, this.selected));
    render(
      this.elements.detail,
      liveEventDetail(this.selected === undefined ? undefined : this.events.get(this.selected)),
    );
    this.elements.more.hidden = this.next === null;
  }

  private showState(state: StreamState): void {
    this.streamState = state;
    const text = this.paused
      ? `Paused${this.queued.length === 0 ? '' : ` · ${this.queued.length} new`}`
      : { connecting: 'Connecting…', live: 'Live', retrying: 'Reconnecting…' }[state];
    this.elements.state.textContent = text;
    this.elements.state.dataset.state = this.paused ? 'paused' : state;
    this.elements.pause.textContent = this.paused ? 'Resume' : 'Pause';
    this.elements.pause.setAttribute('aria-pressed', this.paused ? 'true' : 'false');
  }
}
