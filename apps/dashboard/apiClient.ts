import type { AlertStatus, StoredAlert } from '../../application/ports/alertStore/alertStore.ts';
import type { IndexedRawEvent } from '../../application/ports/rawEventIndex/rawEventIndex.ts';
import type { UserProfile } from '../../application/ports/readModels/readModels.ts';
import type { JourneyView } from '../../application/queries/journeyQueries.ts';
import type { Session } from '../../domain/sessions/session.ts';
import type { Funnel } from '../../domain/stage/funnel.ts';

export type FunnelDay = Funnel & { readonly date: string };
export type DailyFunnel = { readonly from: string; readonly to: string; readonly days: readonly FunnelDay[] };
export type UserSearch = { readonly search: string; readonly users: readonly UserProfile[] };
export type Alerts = { readonly alerts: readonly StoredAlert[] };
export type UserSessions = { readonly userId: string; readonly sessions: readonly Session[] };
export type RawEventView = IndexedRawEvent & { readonly version?: number };
export type RawEventsPage = { readonly events: readonly RawEventView[]; readonly next: string | null };
export type { AlertStatus, Funnel, JourneyView, Session, StoredAlert, UserProfile };

/** The API refused the token: the page asks for it again. */
export class TokenRefusedError extends Error {}

/** Any other failure, with the API's own message (it says what to do). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The dashboard's view of the query API: same origin, bearer token. */
export const apiClient = (token: string) => {
  const request = async <T>(method: 'GET' | 'POST', path: string, query: Record<string, string> = {}): Promise<T> => {
    const search = new URLSearchParams(query).toString();
    let response: Response;
    try {
      response = await fetch(`/api${path}${search === '' ? '' : `?${search}`}`, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      });
    } catch {
      throw new ApiError(0, 'Journey is not reachable; is it still running?');
    }
    if (response.status === 401) throw new TokenRefusedError('the API token was refused');
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    if (!response.ok) throw new ApiError(response.status, body.message ?? `HTTP ${response.status}`);
    return body as T;
  };
  const get = <T>(path: string, query: Record<string, string> = {}) => request<T>('GET', path, query);
  return {
    /** any route, for panels that keep their calls beside them (automationsApi.ts) */
    request,
    funnel: (asOf: string) => get<Funnel>('/funnel', { asOf }),
    dailyFunnel: (from: string, to: string) => get<DailyFunnel>('/funnel/daily', { from, to }),
    searchUsers: (search: string) => get<UserSearch>('/users', { search, limit: '12' }),
    journey: (userId: string) => get<JourneyView>(`/users/${encodeURIComponent(userId)}/journey`),
    sessions: (userId: string) => get<UserSessions>(`/users/${encodeURIComponent(userId)}/sessions`),
    alerts: (limit = 25) => get<Alerts>('/alerts', { limit: String(limit) }),
    rawEvents: (filter: Record<string, string>, before?: string) =>
      get<RawEventsPage>('/raw-events', { ...filter, limit: '50', ...(before === undefined ? {} : { before }) }),
  };
};

export type ApiClient = ReturnType<typeof apiClient>;
