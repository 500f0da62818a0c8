import { parentPort } from 'node:worker_threads';
import { startFakeSlack } from '../testing/slack/fakeSlack.ts';

/**
 * The alert bench's fake Slack in a thread of its own, so the load generator cannot delay the arrival
 * times. Posts `{ apiUrl }` once listening, then `{ posted: [key, at] }` per chat.postMessage; answers
 * `'close'` with `'closed'`.
 */
const port = parentPort;
if (!port) throw new Error('fakeSlackThread.ts runs as a worker thread only');
const slack = await startFakeSlack();
slack.onStored = (message) => {
  const call = slack.calls.at(-1);
  const key = message.metadata?.event_payload.key;
  if (key !== undefined) port.postMessage({ posted: [key, call?.at ?? performance.timeOrigin + performance.now()] });
  // the calls' bodies are not needed here (the messages stay: a retry looks them up)
  slack.calls.length = 0;
};
port.postMessage({ apiUrl: slack.apiUrl });
port.on('message', async (message: unknown) => {
  if (message !== 'close') return;
  await slack.close();
  port.postMessage('closed');
  port.close();
});
