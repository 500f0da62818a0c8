import type { AlertMessage } from '../../application/ports/notifier.ts';

type Block = Record<string, unknown>;

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
/** user input goes into mrkdwn; these three would otherwise become links or mentions */
const mrkdwnEscape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Block Kit for an alert: the headline as a header, the facts as fields (Slack shows two
 * columns, at most ten), and a link to the user's journey. A thread reply is one line.
 */
export const slackBlocks = (message: AlertMessage, publicUrl: string): { text: string; blocks: Block[] } => {
  const { headline, facts } = message.content;
  const line = [headline, ...facts.map(([label, value]) => `${label}: ${value}`)].join(' · ');
  if (message.threadTs !== undefined) {
    return {
      text: clip(line, 3000),
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwnEscape(line), 3000) } }],
    };
  }
  const journeyUrl = `${publicUrl.replace(/\/+$/, '')}/api/users/${encodeURIComponent(message.userId)}/journey`;
  const fields = facts.slice(0, 10).map(([label, value]) => ({
    type: 'mrkdwn',
    text: clip(`*${mrkdwnEscape(label)}*\n${mrkdwnEscape(value)}`, 2000),
  }));
  const rest = facts.slice(10).map(([label, value]) => `*${mrkdwnEscape(label)}*: ${mrkdwnEscape(value)}`);
  return {
    text: clip(line, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(headline, 150), emoji: true } },
      ...(fields.length > 0 ? [{ type: 'section', fields }] : []),
      ...(rest.length > 0 ? [{ type: 'section', text: { type: 'mrkdwn', text: clip(rest.join('\n'), 3000) } }] : []),
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `<${journeyUrl}|View ${mrkdwnEscape(message.userId)}'s journey> · \`${mrkdwnEscape(message.key)}\``,
          },
        ],
      },
    ],
  };
};
