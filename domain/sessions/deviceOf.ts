/** A small summary of a user agent: enough to tell sessions apart, not a device database. */
export type Device = {
  readonly browser: string;
  readonly os: string;
  readonly type: 'mobile' | 'tablet' | 'desktop' | 'bot';
};

// Order matters: Edge and Opera say "Chrome", Chrome says "Safari", every iOS browser says "Safari".
const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/SamsungBrowser\//, 'Samsung Internet'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\/|Chromium\//, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/MSIE |Trident\//, 'Internet Explorer'],
];

const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux|X11/, 'Linux'],
];

// crawlers, and browsers driven by automation (HeadlessChrome)
const BOT = /bot|crawler|spider|crawling|headless/i;

const nameOf = (table: readonly (readonly [RegExp, string])[], userAgent: string): string | undefined =>
  table.find(([pattern]) => pattern.test(userAgent))?.[1];

/**
 * Browser, OS and form factor from a User-Agent header, by a few regexes kept here rather
 * than a parser library: `domain/` imports nothing but zod, three coarse fields need no
 * device database, and the summary must not change when a library updates its tables.
 */
export const deviceOf = (userAgent: string): Device => {
  const bot = BOT.test(userAgent);
  const browser = nameOf(BROWSERS, userAgent) ?? (bot ? 'Bot' : 'Other');
  const type = bot
    ? 'bot'
    : /iPad|Tablet|Android(?!.*Mobile)/.test(userAgent)
      ? 'tablet'
      : /Mobi|iPhone|iPod|Android/.test(userAgent)
        ? 'mobile'
        : 'desktop';
  return { browser, os: nameOf(SYSTEMS, userAgent) ?? 'Other', type };
};
