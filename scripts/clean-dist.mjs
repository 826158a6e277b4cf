// Empties the package's dist/ before tsc writes it: tsc never deletes the output of a removed or renamed
// source file, and a stale file in dist/ is packed and published (run from a package directory).
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
