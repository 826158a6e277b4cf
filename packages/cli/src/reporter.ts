/**
 * Output: human lines (coloured on a TTY unless NO_COLOR), progress bars on a TTY (cli-progress) and plain
 * lines in CI, `--json` (one JSON document on stdout, nothing else there), `--quiet` (errors only).
 * Human messages go to stderr so stdout carries only results (media_id, URLs, JSON) for scripts.
 */
import type { Writable } from 'node:stream';
import pc from 'picocolors';

export interface ReporterOptions {
  json?: boolean;
  quiet?: boolean;
  /** Force progress bars on/off; default: on when stderr is a TTY and not CI. */
  progress?: boolean;
  stdout?: Writable;
  stderr?: Writable;
  env?: NodeJS.ProcessEnv;
}

/** A running progress display for one stage (e.g. "images uploaded"). */
export interface Progress {
  increment(detail?: string): void;
  /** Sets the trailing note (e.g. bytes saved). */
  note(text: string): void;
  /** Changes the number of steps (known only once the first image is seen). */
  setTotal(total: number): void;
  stop(): void;
}

type Colors = ReturnType<typeof pc.createColors>;

/** Writes a command's output according to `--json`, `--quiet`, TTY, CI and NO_COLOR (see the module comment). */
export class Reporter {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly progressBars: boolean;
  readonly colors: Colors;
  private readonly stdout: Writable;
  private readonly stderr: Writable;

  constructor(options: ReporterOptions = {}) {
    const env = options.env ?? process.env;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.json = options.json ?? false;
    this.quiet = options.quiet ?? false;
    const tty = Boolean((this.stderr as { isTTY?: boolean }).isTTY);
    const ci = Boolean(env.CI) && env.CI !== 'false';
    this.progressBars = options.progress ?? (tty && !ci && !this.json && !this.quiet);
    const colour = tty && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb';
    this.colors = pc.createColors(colour || Boolean(env.FORCE_COLOR && env.FORCE_COLOR !== '0'));
  }

  /** A progress line for humans (suppressed by --json and --quiet). */
  info(message: string): void {
    if (this.json || this.quiet) return;
    this.stderr.write(`${message}\n`);
  }

  /** A ✔ line for humans (suppressed by --json and --quiet). */
  success(message: string): void {
    this.info(`${this.colors.green('✔')} ${message}`);
  }

  /** A warning line for humans (suppressed by --json and --quiet). */
  warn(message: string): void {
    if (this.json || this.quiet) return;
    this.stderr.write(`${this.colors.yellow('warning')} ${message}\n`);
  }

  /** Errors are printed even with --quiet; with --json they are part of the JSON result instead. */
  error(message: string): void {
    if (this.json) return;
    this.stderr.write(`${this.colors.red('error')} ${message}\n`);
  }

  /** A result line on stdout (a media_id, a URL): printed unless --json. Kept with --quiet: it is the answer. */
  result(line: string): void {
    if (this.json) return;
    this.stdout.write(`${line}\n`);
  }

  /** Prints the JSON document of a `--json` run. */
  emitJson(value: unknown): void {
    if (!this.json) return;
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * Starts a progress display of `total` steps: a bar on a TTY, else one plain line at the end
   * (`label: done/total note`) so CI logs stay short.
   */
  async progress(label: string, total: number): Promise<Progress> {
    if (this.json || this.quiet || total === 0) {
      return { increment() {}, note() {}, setTotal() {}, stop() {} };
    }
    if (!this.progressBars) {
      let done = 0;
      let noteText = '';
      return {
        increment: () => {
          done++;
        },
        note: (text) => {
          noteText = text;
        },
        setTotal: (n) => {
          total = n;
        },
        stop: () => {
          this.info(`${label}: ${done}/${total}${noteText ? ` ${noteText}` : ''}`);
        },
      };
    }
    const { SingleBar, Presets } = (await import('cli-progress')).default;
    const bar = new SingleBar(
      {
        format: `${label.padEnd(18)} {bar} {value}/{total} {note}`,
        stream: this.stderr as NodeJS.WriteStream,
        hideCursor: true,
        clearOnComplete: false,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0, { note: '' });
    return {
      increment: (detail) => bar.increment(1, detail === undefined ? {} : { note: detail }),
      note: (text) => bar.update({ note: text }),
      setTotal: (n) => {
        if (n > 0 && n !== bar.getTotal()) bar.setTotal(n);
      },
      stop: () => bar.stop(),
    };
  }
}

/** Formats a byte count for humans: 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
