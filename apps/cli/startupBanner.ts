import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import type { RunningJourney } from '../journey/startJourney.ts';

/**
 * What a person needs right after `npm start`: where things are and the keys to use them. stdout often
 * ends up in a log store, so only the start that generated a secret prints it; secrets from the
 * environment are named, never shown.
 */
export const startupBanner = (config: JourneyConfig, journey: RunningJourney): string => {
  const show = journey.credentials.generated;
  const where =
    config.JOURNEY_WRITE_KEYS === undefined
      ? `in ${config.JOURNEY_DATA_DIR}/credentials.json`
      : 'from JOURNEY_WRITE_KEYS';
  const sources = [...new Set(journey.credentials.writeKeys.values())].join(', ');
  const writeKey = show ? [...journey.credentials.writeKeys.keys()][0] : `(sources ${sources}; keys ${where})`;
  const apiToken = show
    ? journey.credentials.apiToken
    : `(${config.JOURNEY_API_TOKEN === undefined ? `in ${config.JOURNEY_DATA_DIR}/credentials.json` : 'from JOURNEY_API_TOKEN'})`;
  const keyArg = show ? writeKey : '$WRITE_KEY';
  const tokenArg = show ? apiToken : '$API_TOKEN';
  const url = journey.url ?? '';
  const lines = ['', `Journey is running: ${journey.apps.join(', ')} (embedded, data in ${config.JOURNEY_DATA_DIR})`];
  if (journey.apps.includes('collector')) {
    lines.push(`  collector   ${url}/v1/batch  (Segment HTTP API)   write key: ${writeKey ?? '(none)'}`);
  }
  if (journey.apps.includes('api')) {
    lines.push(`  API         ${url}/api                           token:     ${apiToken}`);
    lines.push(`  health      ${url}/healthz`);
    // the token rides in the fragment, which browsers never send to the server; without it
    // (a start that did not generate it) the page asks for it once
    lines.push(`  dashboard   ${url}/${show ? `#token=${encodeURIComponent(journey.credentials.apiToken)}` : ''}`);
  }
  if (journey.apps.includes('alerter')) {
    lines.push(
      config.SLACK_BOT_TOKEN === undefined
        ? '  alerter     Slack not configured (set SLACK_BOT_TOKEN): alerts are logged only'
        : `  alerter     posting to Slack ${config.SLACK_ALERT_CHANNEL}`,
    );
  }
  if (journey.credentials.generated)
    lines.push(`  (keys generated and kept in ${config.JOURNEY_DATA_DIR}/credentials.json)`);
  if (journey.apps.includes('collector') && journey.apps.includes('api')) {
    lines.push(
      '',
      'Try it:',
      `  curl -u ${keyArg}: ${url}/v1/track -H 'content-type: application/json' -d '{"userId":"ada","event":"Signed Up","properties":{"email":"ada@example.com"}}'`,
      `  curl -H "Authorization: Bearer ${tokenArg}" ${url}/api/users/ada/journey`,
      '  npx journey demo        # a synthetic onboarding day, then the funnel',
    );
  }
  return `${lines.join('\n')}\n\n`;
};
