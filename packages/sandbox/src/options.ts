import { DEFAULT_ACCOUNT, DEFAULT_WECOM_APP } from './defaults.js';
import type { SandboxAccount, SandboxFaults, SandboxOptions, SandboxWecomApp } from './types.js';

/** `SandboxOptions` with every default applied. */
export interface ResolvedOptions {
  port: number;
  host: string;
  accounts: SandboxAccount[];
  wecom: SandboxWecomApp[];
  tokenTtlSeconds: number;
  publishDelayMs: number;
  uploadByUrlDelayMs: number;
  legacyAddNews: boolean;
  seed: number;
  faults: SandboxFaults;
  clock: () => number;
  quotas: Record<string, number>;
  contentTypeQuirks: boolean;
  requireFilelength: boolean;
  statePath: string | undefined;
  /** Origins (http://host:port) whose image URLs count as this sandbox's own (earlier runs of a persisted state). */
  previousOrigins: string[];
}

export function resolveOptions(options: SandboxOptions = {}): ResolvedOptions {
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    accounts: options.accounts ?? [DEFAULT_ACCOUNT],
    wecom: options.wecom ?? [DEFAULT_WECOM_APP],
    tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
    publishDelayMs: options.publishDelayMs ?? 200,
    uploadByUrlDelayMs: options.uploadByUrlDelayMs ?? 50,
    legacyAddNews: options.legacyAddNews ?? false,
    seed: options.seed ?? 1,
    faults: { ...(options.faults ?? {}) },
    clock: options.clock ?? Date.now,
    quotas: { ...(options.quotas ?? {}) },
    contentTypeQuirks: options.contentTypeQuirks ?? true,
    requireFilelength: options.requireFilelength ?? false,
    statePath: options.statePath,
    previousOrigins: [],
  };
}
