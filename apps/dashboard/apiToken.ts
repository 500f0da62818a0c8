const KEY = 'journey.apiToken';

/**
 * The API token: from the URL fragment (`/#token=…`, what the start-up banner prints) or from
 * localStorage, where it is kept once given. The fragment never reaches the server or its
 * logs, and it is taken out of the address bar at once so it is not shared with a link.
 */
export const apiTokenFromPage = (): string | undefined => {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromUrl = fragment.get('token');
  if (fromUrl !== null && fromUrl.trim() !== '') {
    fragment.delete('token');
    const rest = fragment.toString();
    history.replaceState(null, '', `${location.pathname}${location.search}${rest === '' ? '' : `#${rest}`}`);
    rememberApiToken(fromUrl.trim());
    return fromUrl.trim();
  }
  return localStorage.getItem(KEY) ?? undefined;
};

export const rememberApiToken = (token: string): void => localStorage.setItem(KEY, token);
export const forgetApiToken = (): void => localStorage.removeItem(KEY);
