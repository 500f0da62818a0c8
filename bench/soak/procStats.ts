import { readdirSync, readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** `pid` and every process under it, read from /proc (Linux only): the soak's process tree */
export const processTree = (pid: number): number[] => {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // the command may hold spaces and parentheses: the fields start after the last ')'
      const line = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(line.slice(line.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const tree: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
};

/** a process's resident set (VmRSS) in MB and its command name; undefined once it is gone */
export const processRss = (pid: number): { readonly name: string; readonly rssMb: number } | undefined => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const name = /^Name:\s*(.+)$/m.exec(status)?.[1] ?? String(pid);
    const kb = Number(/^VmRSS:\s*(\d+) kB$/m.exec(status)?.[1] ?? 0);
    return { name, rssMb: kb / 1024 };
  } catch {
    return undefined;
  }
};

/** a process's peak RSS so far (VmHWM), in MB */
export const peakRssMb = (pid: number): number => {
  try {
    return Number(/^VmHWM:\s*(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};

/** open file descriptors of a process */
export const openFds = (pid: number): number => {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
};

/** bytes on disk under `dir` (allocated blocks, so sparse files count as what they take), in MB */
export const diskUsageMb = async (dir: string): Promise<number> => {
  let bytes = 0;
  const walk = async (path: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) await walk(full);
      else
        try {
          bytes += (await stat(full)).blocks * 512;
        } catch {
          // removed meanwhile (a WAL checkpointed away)
        }
    }
  };
  await walk(dir);
  return bytes / 1024 / 1024;
};
