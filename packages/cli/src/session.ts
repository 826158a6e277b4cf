/**
 * A command's session: the @md2wx/publish `Session` (configuration, lazily created clients, store, sandbox)
 * plus the reporter that prints for the command.
 */
import { Session as PublishSession, resolveConfig, type SessionFlags } from '@md2wx/publish/flow';
import { Reporter, type ReporterOptions } from './reporter.js';

/** Global flags every command accepts. */
export interface GlobalFlags extends SessionFlags {
  json?: boolean;
  quiet?: boolean;
  progress?: boolean;
}

/** One command's context. Open with `Session.open(flags)`; always `close()` it (stops an in-process sandbox). */
export class Session extends PublishSession {
  readonly reporter: Reporter;

  private constructor(config: PublishSession['config'], reporter: Reporter) {
    super(config);
    this.reporter = reporter;
  }

  /**
   * Resolves configuration (@md2wx/publish `resolveConfig`) and, with `--sandbox`, starts the in-process
   * sandbox and says where it runs.
   * @throws ConfigError from the configuration.
   */
  static override async open(
    flags: GlobalFlags,
    options: { cwd?: string; env?: NodeJS.ProcessEnv; reporter?: ReporterOptions } = {},
  ): Promise<Session> {
    const env = options.env ?? process.env;
    const reporter = new Reporter({
      ...options.reporter,
      env,
      ...(flags.json === undefined ? {} : { json: flags.json }),
      ...(flags.quiet === undefined ? {} : { quiet: flags.quiet }),
      // commander defaults --no-progress to `progress: true`; only an explicit --no-progress forces anything.
      ...(flags.progress === false ? { progress: false } : {}),
    });
    const { reporter: _, ...configOptions } = options;
    const session = new Session(await resolveConfig(flags, { ...configOptions, env }), reporter);
    await session.start(flags);
    const sandbox = session.sandbox;
    if (sandbox) {
      const dir = session.sandboxStateDir;
      reporter.info(
        dir
          ? `sandbox: fake WeChat running at ${sandbox.url} (in-process; state kept in ${dir}; control API ${sandbox.controlUrl})`
          : `sandbox: fake WeChat running at ${sandbox.url} (in-process; gone when md2wx exits; control API ${sandbox.controlUrl})`,
      );
    }
    return session;
  }
}
