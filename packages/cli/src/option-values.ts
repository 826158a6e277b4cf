/** Parsers of option values (commander `argParser`): integers, page sizes, lists. */
import { InvalidArgumentError } from 'commander';

export function intOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`not a non-negative integer: ${value}`);
  return n;
}

/** `--count` of the batchget endpoints: WeChat takes 1–20 (§2.7, §2.12); anything else is a usage error. */
export function pageCountOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 20)
    throw new InvalidArgumentError(`--count must be 1 to 20 (WeChat's page size), got ${value}`);
  return n;
}

/** Collects a repeatable, comma-separated option into one list. */
export function listOption(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}
