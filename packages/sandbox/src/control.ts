/**
 * The control API: the sandbox inspected and steered over HTTP, on its own path prefix (`/__sandbox/…`), so a
 * sandbox started by `md2wx sandbox` in another process (a shell, a CI job, the soak suite) can be watched and
 * given faults as tests do in-process. Control requests are never logged, counted or faulted.
 *
 * | method | path                 | body / answer                                                                |
 * | ------ | -------------------- | ---------------------------------------------------------------------------- |
 * | GET    | `/__sandbox/stats`   | `SandboxStats` (counters per endpoint, revocations, faults injected)         |
 * | GET    | `/__sandbox/log`     | `{ total, entries: SandboxLogEntry[] }`; `?since=N` skips the first N          |
 * | GET    | `/__sandbox/state`   | `SandboxSnapshot` (drafts, materials, media, publish jobs, messages)         |
 * | GET    | `/__sandbox/tokens`  | every access_token issued `{ token, principal, kind }[]` (leak checks)       |
 * | GET    | `/__sandbox/faults`  | the faults in force                                                          |
 * | POST   | `/__sandbox/faults`  | `SandboxFaults`, merged over the current ones → the faults in force          |
 * | PUT    | `/__sandbox/faults`  | `SandboxFaults`, replacing every current one → the faults in force           |
 * | POST   | `/__sandbox/revoke`  | `{ "principal"?: appId or corpId }`: revoke live tokens (all when absent)    |
 * | GET    | `/__sandbox/clock`   | `{ offsetMs, now }`                                                          |
 * | POST   | `/__sandbox/clock`   | `{ "offsetMs": n }`: shift the sandbox's clock by n milliseconds             |
 * | POST   | `/__sandbox/reset`   | forget all state (options and faults kept)                                   |
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxFaults, SandboxLogEntry, SandboxSnapshot, SandboxStats } from './types.js';

/** Path prefix of the control API. WeChat has no such path, so it cannot shadow an endpoint. */
export const CONTROL_PREFIX = '/__sandbox';

/** Largest control request body, bytes (a faults object is a few hundred). */
const MAX_BODY = 64 * 1024;

/** What the server hands the control API. */
export interface ControlApi {
  stats(): SandboxStats;
  log(): readonly SandboxLogEntry[];
  inspect(): SandboxSnapshot;
  /** Every access_token issued since start/reset (the sandbox's own, worthless outside it). */
  tokens(): { token: string; principal: string; kind: string }[];
  faults(): SandboxFaults;
  setFaults(faults: SandboxFaults, replace: boolean): void;
  revoke(principal?: string): void;
  clockOffset(): number;
  setClockOffset(ms: number): void;
  reset(): void;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ControlError(413, `control body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ControlError(400, `control body is not JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ControlError(400, 'control body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/** Answers one control request (`url.pathname` starts with `CONTROL_PREFIX`). Errors answer `{ error }`. */
export async function serveControl(
  api: ControlApi,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const route = `${req.method ?? 'GET'} ${url.pathname.slice(CONTROL_PREFIX.length) || '/'}`;
  try {
    switch (route) {
      case 'GET /stats':
        return reply(res, 200, api.stats());
      case 'GET /log': {
        const all = api.log();
        const since = Math.max(0, Number(url.searchParams.get('since') ?? 0) || 0);
        return reply(res, 200, { total: all.length, entries: all.slice(since) });
      }
      case 'GET /state':
        return reply(res, 200, api.inspect());
      case 'GET /tokens':
        return reply(res, 200, api.tokens());
      case 'GET /faults':
        return reply(res, 200, api.faults());
      case 'POST /faults':
      case 'PUT /faults':
        api.setFaults((await readBody(req)) as SandboxFaults, req.method === 'PUT');
        return reply(res, 200, api.faults());
      case 'POST /revoke': {
        const { principal } = await readBody(req);
        if (principal !== undefined && typeof principal !== 'string') {
          throw new ControlError(400, '"principal" must be an appId or corpId string');
        }
        api.revoke(principal);
        return reply(res, 200, { revoked: principal ?? 'all', revocations: api.stats().revocations });
      }
      case 'GET /clock':
        return reply(res, 200, { offsetMs: api.clockOffset(), now: Date.now() + api.clockOffset() });
      case 'POST /clock': {
        const { offsetMs } = await readBody(req);
        if (typeof offsetMs !== 'number' || !Number.isFinite(offsetMs)) {
          throw new ControlError(400, '"offsetMs" must be a number of milliseconds');
        }
        api.setClockOffset(offsetMs);
        return reply(res, 200, { offsetMs, now: Date.now() + offsetMs });
      }
      case 'POST /reset':
        api.reset();
        return reply(res, 200, { reset: true });
      default:
        req.resume();
        throw new ControlError(
          404,
          `no control endpoint ${route}: GET stats|log|state|tokens|faults|clock, POST faults|revoke|clock|reset, PUT faults (under ${CONTROL_PREFIX}/)`,
        );
    }
  } catch (error) {
    const status = error instanceof ControlError ? error.status : 500;
    reply(res, status, { error: (error as Error).message });
  }
}
