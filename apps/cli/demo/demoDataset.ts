/**
 * A synthetic onboarding day for `journey demo`: visitors who leave, people who sign up and stop,
 * people who deploy, some with weeks of history so every stage has people. Seeded: the same seed and
 * day send the same messageIds, so a second run is deduplicated.
 */
export type DemoEvent = Record<string, unknown> & { messageId: string; timestamp: string };

export type DemoDataset = {
  readonly day: string;
  readonly events: DemoEvent[];
  /** per signed-up user: sign-up time and meaningful-activity times (for the expected funnel) */
  readonly users: { userId: string; signedUpAt: number; activity: number[] }[];
};

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const FIRST = [
  'Ada',
  'Grace',
  'Linus',
  'Margaret',
  'Ken',
  'Barbara',
  'Dennis',
  'Radia',
  'Guido',
  'Frances',
  'Tim',
  'Katherine',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Thompson',
  'Liskov',
  'Ritchie',
  'Perlman',
  'van Rossum',
  'Allen',
  'Berners-Lee',
  'Johnson',
];

export const demoDataset = (options: { day: string; users: number; seed: number }): DemoDataset => {
  const random = mulberry32(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const dayStart = Date.parse(`${options.day}T00:00:00.000Z`);
  const events: DemoEvent[] = [];
  const users: DemoDataset['users'] = [];
  let n = 0;
  const id = () => `demo-${options.seed}-${options.day}-${n++}`;
  const at = (ms: number) => new Date(ms).toISOString();
  const page = (who: Record<string, string>, t: number, path: string, title: string) =>
    events.push({
      type: 'page',
      ...who,
      messageId: id(),
      timestamp: at(t),
      name: title,
      properties: { path, url: `https://app.example.com${path}`, title },
    });
  const api = (
    userId: string,
    t: number,
    method: string,
    path: string,
    status: number,
    extra: Record<string, unknown> = {},
  ) =>
    events.push({
      type: 'track',
      event: 'api.request',
      userId,
      messageId: id(),
      timestamp: at(t),
      properties: { method, path, status, durationMs: 20 + Math.floor(random() * 400), ...extra },
    });

  /** one working session: log in, maybe create a project, deploy; returns meaningful-activity times */
  const session = (userId: string, start: number, deploys: number): number[] => {
    const activity: number[] = [];
    let t = start;
    api(userId, t, 'POST', '/auth/login', 200);
    if (random() < 0.5) {
      t += 3 * MINUTE;
      const projectId = `prj_${userId}_${Math.floor(t / MINUTE)}`;
      api(userId, t, 'POST', '/projects', 201, { projectId });
      activity.push(t);
    }
    for (let d = 0; d < deploys; d++) {
      t += 5 * MINUTE;
      const deploymentId = `dep_${userId}_${Math.floor(t / 1000)}`;
      api(userId, t, 'POST', '/deployments', 201, { deploymentId });
      activity.push(t);
      t += 2 * MINUTE;
      if (random() < 0.8) {
        events.push({
          type: 'track',
          event: 'Deployment Completed',
          userId,
          messageId: id(),
          timestamp: at(t),
          properties: { deploymentId, durationMs: 90_000 },
        });
        activity.push(t);
      } else {
        events.push({
          type: 'track',
          event: 'Deployment Failed',
          userId,
          messageId: id(),
          timestamp: at(t),
          properties: { deploymentId, error: 'build step exited with code 1' },
        });
      }
    }
    if (random() < 0.15) api(userId, t + MINUTE, 'GET', '/projects', 503, { errorCode: 'UPSTREAM_TIMEOUT' });
    return activity;
  };

  for (let u = 0; u < options.users; u++) {
    const userId = `user_${options.seed}_${u}`;
    const anonymousId = `anon_${options.seed}_${u}`;
    const name = `${pick(FIRST)} ${pick(LAST)}`;
    const email = `${name.toLowerCase().replace(/[^a-z]+/g, '.')}.${u}@example.com`;
    const kind = random();
    if (kind < 0.15) {
      // a visitor who looks around and leaves
      const t = dayStart + Math.floor(random() * 20 * HOUR);
      page({ anonymousId }, t, '/', 'Home');
      page({ anonymousId }, t + MINUTE, '/pricing', 'Pricing');
      continue;
    }
    // sign-up day: today for ~45%, else within the last 40 days
    const daysAgo = kind < 0.6 ? 0 : 1 + Math.floor(random() * 40);
    const signedUpAt = dayStart - daysAgo * DAY + 8 * HOUR + Math.floor(random() * 10 * HOUR);
    page({ anonymousId }, signedUpAt - 6 * MINUTE, '/', 'Home');
    page({ anonymousId }, signedUpAt - 3 * MINUTE, '/signup', 'Sign up');
    events.push({
      type: 'identify',
      userId,
      anonymousId,
      messageId: id(),
      timestamp: at(signedUpAt),
      traits: { email, name },
    });
    events.push({
      type: 'track',
      event: 'Signed Up',
      userId,
      anonymousId,
      messageId: id(),
      timestamp: at(signedUpAt + 1000),
      properties: { email, name, plan: pick(['free', 'free', 'pro']) },
    });
    const activity: number[] = [];
    const engagement = random();
    if (engagement > 0.3) {
      activity.push(...session(userId, signedUpAt + 2 * MINUTE, 1 + Math.floor(random() * 2)));
      // returning users come back on later days, up to the demo day
      const returns = engagement > 0.65 ? 1 + Math.floor(random() * 4) : 0;
      for (let r = 0; r < returns; r++) {
        const back = signedUpAt + (1 + Math.floor(random() * Math.max(1, daysAgo))) * DAY;
        if (back < dayStart + DAY) activity.push(...session(userId, back, 1));
      }
    }
    users.push({ userId, signedUpAt, activity });
  }
  events.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  return { day: options.day, events, users };
};
