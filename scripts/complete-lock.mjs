#!/usr/bin/env node
// The npm registry this project is built against serves only the linux builds of Biome and turbo, so
// `npm install` writes a package-lock.json without their other platform packages, and `npm ci` then
// refuses the lock as out of sync. This puts the missing optional entries back (version, os, cpu:
// never installed here, as their os/cpu never match), the way a lock written elsewhere would have them.
// Run it after any `npm install` that rewrote package-lock.json.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

const platform = (name) => {
  const os = /android/.test(name)
    ? 'android'
    : /darwin/.test(name)
      ? 'darwin'
      : /win/.test(name)
        ? 'win32'
        : 'linux';
  const cpu = /arm64/.test(name) ? 'arm64' : 'x64';
  return { os, cpu, musl: /musl/.test(name) };
};

let added = 0;
for (const parent of ['@biomejs/biome', 'turbo']) {
  const entry = packages[`node_modules/${parent}`];
  if (!entry) continue;
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (packages[key]) continue;
    const { os, cpu, musl } = platform(name);
    packages[key] = {
      version,
      cpu: [cpu],
      dev: true,
      ...(musl ? { libc: ['musl'] } : {}),
      license: entry.license,
      optional: true,
      os: [os],
    };
    added++;
  }
}

const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
lock.packages = sorted;
const tmp = new URL('../package-lock.json.tmp', import.meta.url);
writeFileSync(tmp, `${JSON.stringify(lock, null, 2)}\n`);
renameSync(tmp, lockPath);
console.log(`complete-lock: added ${added} platform entries`);
