// `node --import ./load-log.mjs …`: appends to $MD2WX_LOAD_LOG every module the process loads from outside
// Node itself — ES modules through a load hook, CommonJS packages by the specifier our code required (a
// `createRequire(import.meta.url)(…)` load such as mathjax-full or cacache). draft-modules.ts replays the list.
import { appendFileSync } from 'node:fs';
import Module, { builtinModules, register } from 'node:module';

// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by draft-modules.ts for one process, never by a turbo task
const log = process.env.MD2WX_LOAD_LOG;
if (log) {
  register(
    `data:text/javascript,${encodeURIComponent(`import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, 'import ' + url + '\\n');
  return next(url, context);
}`)}`,
  );
  const builtins = new Set(builtinModules);
  const load = Module._load;
  Module._load = function (request, parent, ...rest) {
    const bare = !/^[./]/.test(request) && !request.startsWith('node:') && !builtins.has(request);
    if (bare && parent?.filename && !parent.filename.includes('/node_modules/'))
      appendFileSync(log, `require ${request} ${parent.filename}\n`);
    return load.call(this, request, parent, ...rest);
  };
}
