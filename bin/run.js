#!/usr/bin/env node
// `node bin/run.js some/file.ts [args]`: runs one TypeScript entry point through tsx.
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const [file] = process.argv.splice(2, 1);
if (!file) {
  console.error('usage: node bin/run.js <file.ts> [args...]');
  process.exit(2);
}
register();
await import(pathToFileURL(file).href);
