#!/usr/bin/env node
// Only the command tree loads here; every command imports its heavy modules when it runs.
import { main } from './cli.js';

// `md2wx --help | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

await main(process.argv);
