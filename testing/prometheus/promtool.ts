import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const install = 'apt-get install -y prometheus (Debian), as .ci/run does';

/** Test support: Debian's Prometheus binaries; a spec that needs them fails loudly without, never skips. */
export const prometheusBinary = (name: 'prometheus' | 'promtool'): string => {
  const path = `/usr/bin/${name}`;
  if (!existsSync(path)) throw new Error(`${path} is missing: ${install}`);
  return path;
};

/** `promtool <args>`, with `input` on its standard input: its status and what it printed */
export const promtool = (args: readonly string[], input?: string): { status: number | null; output: string } => {
  const run = spawnSync(prometheusBinary('promtool'), args, { input, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
};
