import { spawnSync } from 'node:child_process';
import { bin, openSandboxPost } from '../cli-startup/sandbox-post.js';
const post = await openSandboxPost();
try {
  spawnSync(process.execPath, [bin, 'post.md', '--draft'], { cwd: post.work });
  spawnSync(process.execPath, [bin, 'post.md', '--draft'], { cwd: post.work });
  const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', '--cpu-prof-interval=200', bin, 'post.md', '--draft'], { cwd: post.work, encoding: 'utf8' });
  console.log(r.stdout.slice(-300), r.stderr.slice(-300));
} finally { post.close(); }
