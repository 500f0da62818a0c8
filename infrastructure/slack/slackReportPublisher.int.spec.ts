import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RenderedDocument } from '../../application/ports/funnelReport.ts';
import { type Stage, stages } from '../../domain/stage/stage.ts';
import { reportFixture } from '../../testing/fixtures/reportFixture.ts';
import { type FakeSlack, startFakeSlack } from '../../testing/slack/fakeSlack.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import { SlackReportPublisher } from './slackReportPublisher.ts';

let slack: FakeSlack;
let data: TempDataDir;
beforeEach(async () => {
  slack = await startFakeSlack({ knownChannels: ['#portal-analytics'] });
  data = await tempDataDir('slack-report');
});
afterEach(async () => {
  await slack.close();
  await data.remove();
});

const publisher = (channel = '#portal-analytics') =>
  new SlackReportPublisher({ token: 'xoxb-test', apiUrl: slack.apiUrl, channel, timeoutMs: 5_000 });
const bytesOf = (stage: Stage) => Buffer.from(`%PDF-1.3 ${stage} ${'x'.repeat(stages.indexOf(stage) * 100_000)}`);
/** the PDFs as files, as the renderer leaves them */
const documents = async (): Promise<Map<Stage, RenderedDocument>> => {
  const files = new Map<Stage, RenderedDocument>();
  for (const stage of stages) {
    const path = join(data.dir, `${stage}.pdf`);
    await writeFile(path, bytesOf(stage));
    files.set(stage, { path, byteLength: bytesOf(stage).byteLength });
  }
  return files;
};

describe('the report to Slack through the real WebClient and the upload flow', () => {
  it('uploads each stage’s PDF from its file to its upload URL, shares it with the stage text, and threads the replies under it', async () => {
    const report = reportFixture({ signedUp: 2, activated: 0, active: 1, inactive: 3 });
    const p = publisher();
    await p.check();
    await p.publish(report, await documents());
    expect(slack.calls.map((c) => c.method).filter((m) => m.startsWith('files.') || m === 'upload')).toEqual(
      stages.flatMap(() => ['files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']),
    );
    const top = slack.messages.filter((m) => m.threadTs === undefined);
    expect(top).toHaveLength(4);
    top.forEach((m, i) => {
      const stage = stages[i] ?? 'signedUp';
      expect(m.files?.[0]?.bytes.equals(bytesOf(stage))).toBe(true);
      expect(m.files?.[0]?.title).toBe(`${['Signed up', 'Activated', 'Active', 'Inactive'][i]} users, 2026-03-10`);
    });
    expect(top[3]?.text).toContain('*Inactive users on 2026-03-10* (UTC): *3* (+2 from the day before)');
    expect(top[1]?.text).toContain('*0* (no change from the day before)');
    expect(top[1]?.text).toContain('No users in this stage.');
    const threads = top.map((m) => slack.messages.filter((r) => r.threadTs === m.ts).length);
    expect(threads).toEqual([2, 0, 1, 3]);
  });

  it('posts the first 50 replies of a long stage, then "and N more — see the PDF"', async () => {
    const report = reportFixture({ signedUp: 0, activated: 0, active: 73, inactive: 0 });
    await publisher().publish(report, await documents());
    const active = slack.messages.find((m) => m.files?.[0]?.filename === 'funnel-2026-03-10-active.pdf');
    const replies = slack.messages.filter((m) => m.threadTs === active?.ts).map((m) => m.text);
    expect(replies).toHaveLength(51);
    expect(replies[0]).toMatch(/^\*active-user-000000\* \(active\.0@example\.com\) · signed up 2026-03-10 22:59/);
    expect(replies[49]).toMatch(/^\*active-user-000049\*/);
    expect(replies[50]).toBe('and 23 more — see the PDF');
  });

  it('finishing a report cut off while posting: stages and replies already in Slack are not posted again', async () => {
    const report = reportFixture({ signedUp: 2, activated: 3, active: 60, inactive: 1 });
    const since = new Date().toISOString();
    // a reporter killed in the active stage's thread: two stages done, 20 of its 51 replies posted
    let posts = 0;
    const cut = () => {
      if (++posts > 2 + 1 + 3 + 1 + 1 + 20) throw new Error('killed');
    };
    await expect(publisher().publish(report, await documents(), { beforePost: cut })).rejects.toThrow('killed');
    expect(slack.messages).toHaveLength(2 + 1 + 3 + 1 + 1 + 20);
    await publisher().publish(report, await documents(), { resume: { since } });
    const top = slack.messages.filter((m) => m.threadTs === undefined);
    expect(top.map((m) => m.files?.[0]?.filename)).toEqual(stages.map((s) => `funnel-2026-03-10-${s}.pdf`));
    const threads = top.map((m) => slack.messages.filter((r) => r.threadTs === m.ts).map((r) => r.text));
    expect(threads.map((t) => [t.length, new Set(t).size])).toEqual([
      [2, 2],
      [3, 3],
      [51, 51],
      [1, 1],
    ]);
    // one look at the channel, one at each thread it found
    expect(slack.calls.filter((c) => /^conversations\.(history|replies)/.test(c.method)).map((c) => c.method)).toEqual([
      'conversations.history',
      'conversations.replies',
      'conversations.replies',
      'conversations.replies',
    ]);
  });

  it('refuses, before anything is recorded, a channel the bot cannot see, naming SLACK_REPORT_CHANNEL', async () => {
    await expect(publisher('#nowhere').check()).rejects.toThrow(
      'channel #nowhere does not exist or the bot cannot see it; set SLACK_REPORT_CHANNEL',
    );
    expect(slack.messages).toEqual([]);
  });

  it('says which step failed and what Slack answered', async () => {
    slack.failNext('files.completeUploadExternal', { error: 'not_in_channel' });
    await expect(
      publisher().publish(reportFixture({ signedUp: 1, activated: 0, active: 0, inactive: 0 }), await documents()),
    ).rejects.toThrow(
      'the funnel report could not share funnel-2026-03-10-signedUp.pdf in Slack: not_in_channel: the bot is not a member of #portal-analytics',
    );
  });
});
