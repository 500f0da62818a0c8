import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { journeyProcess } from '../apps/all/reliability/journeyProcess.ts';
import { freePort, WRITE_KEY, API_TOKEN } from '../apps/all/reliability/journeyCluster.ts';
const dir = mkdtempSync(join(tmpdir(), 'full-'));
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir]);
const port = await freePort();
const p = journeyProcess('start', ['start'], () => ({ JOURNEY_DATA_DIR: dir, PORT: String(port), JOURNEY_WRITE_KEYS: WRITE_KEY, JOURNEY_API_TOKEN: API_TOKEN, LOG_LEVEL: 'warn' }));
try {
  await p.start().catch(e => console.log('start err', e.message.slice(0, 500)));
  const statuses: Record<string, number> = {};
  for (let b = 0; b < 200 && p.running; b++) {
    const batch = Array.from({ length: 50 }, (_, i) => ({ type: 'track', userId: `u${i}`, event: 'Project Created', messageId: `m${b}-${i}`, properties: { projectId: 'x'.repeat(200) } }));
    try {
      const r = await fetch(`http://127.0.0.1:${port}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` }, body: JSON.stringify({ batch }) });
      const t = await r.text();
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status !== 200 && statuses[r.status] === 1) console.log(r.status, t.slice(0, 300));
    } catch (e) { statuses.net = (statuses.net ?? 0) + 1; }
  }
  console.log(statuses, 'running', p.running);
  await new Promise(r => setTimeout(r, 3000));
  console.log('running', p.running, p.unexpectedExits.map(s => s.slice(-1500)));
  console.log(p.output().slice(-2500));
  console.log(execFileSync('ls', ['-la', dir]).toString());
} finally {
  await p.kill();
  execFileSync('umount', [dir]);
}
