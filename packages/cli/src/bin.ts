#!/usr/bin/env node
// Only the command tree loads here; every command imports its heavy modules when it runs.
import { main } from './cli.js';

await main(process.argv);
