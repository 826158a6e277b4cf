#!/usr/bin/env node
// Runs after `tsc` in a package's build script (`tsc -p tsconfig.build.json && node ../../scripts/mark-bins-executable.mjs`).
// tsc writes its output with the default mode (0644), so a freshly built or cache-restored `dist/bin.js` loses the
// execute bit that `npm link` and a linked global install rely on ("Permission denied" after the next build).
// This gives every file named in the package's `bin` field mode 0755 and fails the build when one is missing or
// does not start with `#!/usr/bin/env node`.
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.cwd();
const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
let failed = false;
for (const [name, file] of Object.entries(bins)) {
  const target = path.join(dir, file);
  if (!existsSync(target)) {
    console.error(
      `${manifest.name}: bin "${name}" → ${file} does not exist after the build (check tsconfig.build.json's outDir)`,
    );
    failed = true;
    continue;
  }
  if (!readFileSync(target, 'utf8').startsWith('#!/usr/bin/env node\n')) {
    console.error(
      `${manifest.name}: bin "${name}" → ${file} must start with "#!/usr/bin/env node" (add it as the first line of its source)`,
    );
    failed = true;
    continue;
  }
  chmodSync(target, 0o755);
}
if (failed) process.exit(1);
