#!/usr/bin/env node
import module from 'node:module';

// Node ≥ 22.1 keeps V8's compiled code of the CLI's modules on disk, so a re-run skips compiling them again;
// Node 20 has no such cache and ignores this.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// `md2wx --help | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// Imported after the compile cache is on; only the command tree loads here, and every command imports its
// heavy modules when it runs.
const { main } = await import('./cli.js');
await main(process.argv);
