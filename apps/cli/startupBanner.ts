import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import type { RunningJourney } from '../all/startJourney.ts';

/** What a person needs right after `npm start`: where things are and the keys to use them. */
export const startupBanner = (config: JourneyConfig, journey: RunningJourney): string => {
  const [writeKey] = journey.credentials.writeKeys.keys();
  const url = journey.url ?? '';
  const lines = ['', `Journey is running: ${journey.apps.join(', ')} (embedded, data in ${config.JOURNEY_DATA_DIR})`];
  if (journey.apps.includes('collector')) {
    lines.push(`  collector   ${url}/v1/batch  (Segment HTTP API)   write key: ${writeKey ?? '(none)'}`);
  }
  if (journey.apps.includes('api')) {
    lines.push(`  API         ${url}/api                           token:     ${journey.credentials.apiToken}`);
    lines.push(`  health      ${url}/healthz`);
    // the token rides in the fragment, which browsers never send to the server
    lines.push(`  dashboard   ${url}/#token=${encodeURIComponent(journey.credentials.apiToken)}`);
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
      `  curl -u ${writeKey}: ${url}/v1/track -H 'content-type: application/json' -d '{"userId":"ada","event":"Signed Up","properties":{"email":"ada@example.com"}}'`,
      `  curl -H 'Authorization: Bearer ${journey.credentials.apiToken}' ${url}/api/users/ada/journey`,
      '  npx journey demo        # a synthetic onboarding day, then the funnel',
    );
  }
  return `${lines.join('\n')}\n\n`;
};
