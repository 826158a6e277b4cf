/**
 * Keeping a sandbox's state across restarts (`SandboxOptions.statePath`): tokens, media, drafts, publish jobs,
 * messages, quota use, counters and the id streams, as one JSON file (buffers as base64) written atomically.
 * A restarted sandbox then answers like the same WeChat: a draft pushed yesterday can be updated today.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SeededRandom } from './random.js';
import type { SandboxState } from './state.js';

/** What the state file holds besides the state: the origins the sandbox served (its image URLs name them). */
export interface PersistedMeta {
  /** Every `http://host:port` this state was served at, latest last. */
  origins: string[];
}

const VERSION = 1;

const MAPS = [
  'tokens',
  'currentToken',
  'forceRefreshes',
  'tickets',
  'media',
  'hosted',
  'drafts',
  'publishJobs',
  'published',
  'uploadJobs',
  'quotaUse',
] as const;

function encode(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') {
    return { $b64: Buffer.from((value as { data: number[] }).data).toString('base64') };
  }
  return value;
}

function decode(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && typeof (value as { $b64?: unknown }).$b64 === 'string') {
    return Buffer.from((value as { $b64: string }).$b64, 'base64');
  }
  return value;
}

/**
 * Writes `state` to `file` (directory created, temp file then rename, so a crash never leaves half a file).
 * @throws the fs error when the directory is not writable.
 */
export function saveState(state: SandboxState, file: string, meta: PersistedMeta): void {
  const body: Record<string, unknown> = {
    version: VERSION,
    meta,
    messages: state.messages,
    callbacks: state.callbacks,
    counters: state.counters,
    nextPublishId: state.nextPublishId,
    ids: state.ids.position,
    faultRandom: state.faultRandom.position,
  };
  for (const name of MAPS) body[name] = [...(state[name] as Map<unknown, unknown>).entries()];
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(body, encode));
  renameSync(temp, file);
}

/**
 * Fills `state` from `file` when it exists (a missing file is a fresh sandbox).
 * @returns the saved meta (origins), or undefined for a fresh sandbox.
 * @throws Error naming the file when it is not a state file of this version.
 */
export function loadState(state: SandboxState, file: string): PersistedMeta | undefined {
  if (!existsSync(file)) return undefined;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(readFileSync(file, 'utf8'), decode) as Record<string, unknown>;
  } catch (error) {
    throw new Error(
      `sandbox state ${file} is not valid JSON (${(error as Error).message}); delete it to start afresh`,
    );
  }
  if (body.version !== VERSION)
    throw new Error(
      `sandbox state ${file} has version ${String(body.version)}, expected ${VERSION}; delete it to start afresh`,
    );
  for (const name of MAPS) {
    const map = state[name] as Map<unknown, unknown>;
    map.clear();
    for (const [k, v] of (body[name] as [unknown, unknown][]) ?? []) map.set(k, v);
  }
  state.messages.splice(0, state.messages.length, ...((body.messages as SandboxState['messages']) ?? []));
  state.callbacks.splice(0, state.callbacks.length, ...((body.callbacks as SandboxState['callbacks']) ?? []));
  Object.assign(state.counters, body.counters ?? {});
  if (typeof body.nextPublishId === 'number') state.nextPublishId = body.nextPublishId;
  if (typeof body.ids === 'number') state.ids = SeededRandom.resume(body.ids);
  if (typeof body.faultRandom === 'number') state.faultRandom = SeededRandom.resume(body.faultRandom);
  return (body.meta as PersistedMeta | undefined) ?? { origins: [] };
}
