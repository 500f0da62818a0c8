import { alertsView } from './alertsView.ts';
import { type ApiClient, ApiError, apiClient, TokenRefusedError, type UserProfile } from './apiClient.ts';
import { apiTokenFromPage, forgetApiToken, rememberApiToken } from './apiToken.ts';
import { automationsPanel } from './automationsPanel.ts';
import { addDays, endOfDay, formatDay, utcDate } from './format.ts';
import { funnelChart, funnelTable } from './funnelChart.ts';
import { html, render, type SafeHtml } from './html.ts';
import { LivePage } from './livePage.ts';
import { fragmentOf, type LiveFilter, liveFilterNames, type PageState, pageStateFromFragment } from './pageState.ts';
import { sizeMeters, stageCards } from './stageCards.ts';
import { timelineView } from './timelineView.ts';

const ALERTS_REFRESH_MS = 10_000;

const $ = <T extends Element = HTMLElement>(selector: string): T => {
  const element = document.querySelector<T>(selector);
  if (element === null) throw new Error(`the dashboard page has no ${selector}`);
  return element;
};

const message = (kind: 'loading' | 'error' | 'empty', text: string | SafeHtml): SafeHtml =>
  html`<p class="${kind}"${kind === 'error' ? html` role="alert"` : ''}>${text}</p>`;

let api: ApiClient | undefined;
let apiToken: string | undefined;
let live: LivePage | undefined;
let state: PageState = pageStateFromFragment('', Date.now());

const saveState = (next: Partial<PageState>): void => {
  state = { ...state, ...next };
  history.replaceState(null, '', `${location.pathname}${location.search}${fragmentOf(state)}`);
};

/** Runs one panel's request; a refused token brings the token dialog back, anything else shows in the panel. */
const load = async (target: HTMLElement, run: (client: ApiClient) => Promise<void>): Promise<void> => {
  if (api === undefined) return;
  target.setAttribute('aria-busy', 'true');
  try {
    await run(api);
  } catch (error) {
    if (error instanceof TokenRefusedError) {
      askForToken('Journey refused that token; check it and paste it again.');
      return;
    }
    render(target, message('error', error instanceof ApiError ? error.message : String(error)));
  } finally {
    target.removeAttribute('aria-busy');
  }
};

const automations = automationsPanel(load);

const loadChart = () =>
  load($('#chart'), async (client) => {
    const daily = await client.dailyFunnel(state.from, state.to);
    $('#chart').dataset.from = daily.from;
    $('#chart').dataset.to = daily.to;
    render($('#chart'), funnelChart(daily.days, state.asOf));
    render($('#funnel-table'), funnelTable(daily.days));
    $('#range-caption').textContent = `${formatDay(daily.from)} – ${formatDay(daily.to)}`;
  });

const loadStages = () =>
  load($('#stage-cards'), async (client) => {
    const funnel = await client.funnel(endOfDay(state.asOf));
    render($('#stage-cards'), stageCards(funnel));
    sizeMeters($('#stage-cards'));
    for (const bar of document.querySelectorAll('#chart .bar')) {
      bar.classList.toggle('selected', (bar as HTMLElement).dataset.date === state.asOf);
    }
  });

const loadAlerts = () =>
  load($('#alerts'), async (client) => {
    try {
      const { alerts } = await client.alerts();
      render($('#alerts'), alertsView(alerts, Date.now()));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        render($('#alerts'), message('empty', 'This process does not serve alerts (run the alerter’s API with them).'));
        return;
      }
      throw error;
    }
  });

const openUser = (userId: string) => {
  saveState({ user: userId });
  render($('#search-results'), html``);
  render($('#journey'), message('loading', `Loading ${userId}’s journey…`));
  return load($('#journey'), async (client) => {
    try {
      const [journey, sessions] = await Promise.all([client.journey(userId), client.sessions(userId)]);
      render($('#journey'), timelineView(journey, sessions.sessions));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        render($('#journey'), message('empty', `No journey for ${userId}: no event of this user has been projected.`));
        return;
      }
      throw error;
    }
  });
};

const resultList = (users: readonly UserProfile[], search: string): SafeHtml =>
  users.length === 0
    ? message('empty', `No user id or email starts with “${search}”.`)
    : html`${users.map(
        (u) => html`<li><button type="button" class="result" data-open-user="${u.userId}">
          <span class="result-id">${u.userId}</span>
          <span class="result-detail">${[u.name, u.email].filter(Boolean).join(' · ')}</span>
        </button></li>`,
      )}`;

let searchSeq = 0;
const search = (text: string) => {
  const seq = ++searchSeq;
  const query = text.trim();
  if (query === '') {
    render($('#search-results'), html``);
    return Promise.resolve();
  }
  return load($('#search-results'), async (client) => {
    const found = await client.searchUsers(query);
    if (seq === searchSeq) render($('#search-results'), resultList(found.users, query));
  });
};

const livePage = (): LivePage => {
  live ??= new LivePage({
    list: $('#live-events'),
    detail: $('#live-detail'),
    state: $('#live-state'),
    pause: $<HTMLButtonElement>('#live-pause'),
    more: $<HTMLButtonElement>('#live-more'),
  });
  return live;
};

const openLive = () => {
  const form = $<HTMLFormElement>('#live-filters');
  for (const name of liveFilterNames) {
    const input = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    if (input) input.value = state.live?.[name] ?? '';
  }
  if (api === undefined || apiToken === undefined) return;
  void livePage().open(api, apiToken, state.live ?? {}, (error) =>
    render($('#live-events'), message('error', error instanceof ApiError ? error.message : String(error))),
  );
};

/** the overview (funnel, stages, journeys, alerts) or the live events page */
const showView = (view: PageState['view']) => {
  $('#overview-view').hidden = view === 'live';
  $('#live-view').hidden = view !== 'live';
  for (const link of document.querySelectorAll<HTMLElement>('[data-view-link]')) {
    if (link.dataset.viewLink === (view ?? 'overview')) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (view === 'live') openLive();
  else live?.close();
};

const refreshAll = () => {
  ($('#range-form') as HTMLFormElement).from.value = state.from;
  ($('#range-form') as HTMLFormElement).to.value = state.to;
  ($('#as-of-form') as HTMLFormElement).asOf.value = state.asOf;
  void loadChart();
  void loadStages();
  void loadAlerts();
  void automations.refresh();
  if (state.user !== undefined) void openUser(state.user);
  showView(state.view);
};

const askForToken = (why?: string) => {
  api = undefined;
  live?.close();
  const dialog = $<HTMLDialogElement>('#token-dialog');
  $('#token-reason').textContent = why ?? '';
  $('#token-reason').hidden = why === undefined;
  if (!dialog.open) dialog.showModal();
};

const start = (token: string) => {
  api = apiClient(token);
  apiToken = token;
  document.body.classList.add('connected');
  refreshAll();
};

const wire = () => {
  $('#token-form').addEventListener('submit', (event) => {
    const input = $<HTMLInputElement>('#token-input');
    const token = input.value.trim();
    if (token === '') {
      event.preventDefault();
      return;
    }
    rememberApiToken(token);
    input.value = '';
    start(token);
  });
  // Escape would close the dialog and leave a blurred page with nothing to do
  $('#token-dialog').addEventListener('cancel', (event) => {
    if (api === undefined) event.preventDefault();
  });
  $('#forget-token').addEventListener('click', () => {
    forgetApiToken();
    document.body.classList.remove('connected');
    askForToken();
  });
  $('#range-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const [from, to] = [form.from.value as string, form.to.value as string].sort();
    if (!from || !to) return;
    saveState({ from, to });
    void loadChart();
  });
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-range-days]')) {
    button.addEventListener('click', () => {
      const days = Number(button.dataset.rangeDays);
      saveState({ from: addDays(state.to, 1 - days), to: state.to });
      ($('#range-form') as HTMLFormElement).from.value = state.from;
      void loadChart();
    });
  }
  $('#as-of-form').addEventListener('submit', (event) => event.preventDefault());
  $('#as-of-form').addEventListener('change', (event) => {
    const value = (event.target as HTMLInputElement).value;
    if (value === '') return;
    saveState({ asOf: value });
    void loadStages();
  });
  $('#chart').addEventListener('click', (event) => {
    const bar = (event.target as Element).closest<HTMLElement>('.bar');
    if (bar?.dataset.date === undefined) return;
    saveState({ asOf: bar.dataset.date });
    ($('#as-of-form') as HTMLFormElement).asOf.value = bar.dataset.date;
    void loadStages();
  });
  $('#chart').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ')
      (event.target as HTMLElement).dispatchEvent(new MouseEvent('click', { bubbles: true }));
  });
  let debounce: ReturnType<typeof setTimeout> | undefined;
  $('#search-input').addEventListener('input', (event) => {
    clearTimeout(debounce);
    const value = (event.target as HTMLInputElement).value;
    debounce = setTimeout(() => void search(value), 150);
  });
  $('#search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(debounce);
    const first = document.querySelector<HTMLElement>('#search-results [data-open-user]');
    if (first?.dataset.openUser !== undefined) void openUser(first.dataset.openUser);
    else void search($<HTMLInputElement>('#search-input').value);
  });
  document.addEventListener('click', (event) => {
    const target = (event.target as Element).closest<HTMLElement>('[data-open-user]');
    if (target?.dataset.openUser === undefined) return;
    void openUser(target.dataset.openUser);
    // from an alert, the journey opens in the other column: bring it into view
    if (!$('#users-panel').contains(target)) $('#users-panel').scrollIntoView({ block: 'start' });
  });
  automations.wire();
  $('#refresh-alerts').addEventListener('click', () => void loadAlerts());
  for (const link of document.querySelectorAll<HTMLElement>('[data-view-link]')) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      const view = link.dataset.viewLink === 'live' ? 'live' : undefined;
      const { view: _old, ...rest } = state;
      state = { ...rest, ...(view === undefined ? {} : { view }) };
      saveState({});
      showView(view);
    });
  }
  // from a user's journey to their raw events
  document.addEventListener('click', (event) => {
    const link = (event.target as Element).closest<HTMLElement>('[data-live-user]');
    if (link?.dataset.liveUser === undefined) return;
    event.preventDefault();
    saveState({ view: 'live', live: { userId: link.dataset.liveUser } });
    showView('live');
  });
  $('#live-filters').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const filter: LiveFilter = {};
    for (const name of liveFilterNames) {
      const value = String(form.get(name) ?? '').trim();
      if (value !== '') filter[name] = value;
    }
    const { live: _old, ...rest } = state;
    state = { ...rest, ...(Object.keys(filter).length === 0 ? {} : { live: filter }) };
    saveState({});
    openLive();
  });
  $('#live-pause').addEventListener('click', () => livePage().togglePause());
  $('#live-more').addEventListener('click', () => {
    if (api !== undefined) void livePage().loadOlder(api, state.live ?? {});
  });
  $('#live-events').addEventListener('click', (event) => {
    const row = (event.target as Element).closest<HTMLElement>('[data-message-id]');
    if (row?.dataset.messageId !== undefined) livePage().select(row.dataset.messageId);
  });
  setInterval(() => {
    if (api !== undefined && document.visibilityState === 'visible') void loadAlerts();
  }, ALERTS_REFRESH_MS);
};

const token = apiTokenFromPage();
state = pageStateFromFragment(location.hash, Date.now());
saveState({});
$('#today').textContent = formatDay(utcDate(Date.now()));
wire();
if (token === undefined) askForToken();
else start(token);
