/** How an error reaches the user: a message on stderr (WeChat's errcode, errmsg, rid, hint), or JSON. */
import { type ExitCodeValue, exitCodeOf, isWechatError, problemsJson } from './errors.js';

/** Prints an error as the user should see it (or as JSON with --json); returns its exit code. */
export function reportError(
  error: unknown,
  flags: { json?: boolean },
  stderr = process.stderr,
): ExitCodeValue {
  const code = exitCodeOf(error);
  const e = error as Error & { problems?: unknown; hint?: string };
  if (flags.json) {
    const body: Record<string, unknown> = { error: { name: e?.name, message: e?.message, exitCode: code } };
    if (isWechatError(error)) {
      Object.assign(body.error as object, {
        errcode: error.errcode,
        errmsg: error.errmsg,
        rid: error.rid,
        endpoint: error.endpoint,
        hint: error.hint,
      });
    }
    // A ContentError's vfile messages (or another error's) as `{ file, line?, column?, message, image? }`.
    const problems = problemsJson(error);
    if (problems) (body.error as Record<string, unknown>).problems = problems;
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return code;
  }
  let text = e instanceof Error ? e.message : String(error);
  if (isWechatError(error)) {
    // WeChat puts "rid: …" inside errmsg; it is printed once, in its own place.
    const errmsg = error.rid ? error.errmsg.replace(/[\s,;]*rid:\s*\S+/, '').trim() : error.errmsg;
    text = `WeChat ${error.endpoint ?? 'API'}: errcode ${error.errcode} ${errmsg}`;
    if (error.rid) text += ` (rid ${error.rid})`;
    if (error.hint) text += `\n  hint: ${error.hint}`;
  }
  stderr.write(`md2wx: ${text}\n`);
  return code;
}
