#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx registers a loader), so `npx journey` works
// right after `npm ci`, with no build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../apps/cli/main.ts');
