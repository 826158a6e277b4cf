/**
 * Runs a composite GitHub Action's `run:` steps locally, the way the runner does, so tests can exercise
 * `action.yml` as written: each step in order, `bash --noprofile --norc -eo pipefail <script>` (the runner's
 * `shell: bash`) in `$GITHUB_WORKSPACE`, with `${{ … }}` expressions substituted and `if:` evaluated
 * (`success() && …` unless it names a status function, `always()`, `failure()`, `cancelled()`, `==`, `!=`, `!`,
 * `&&`, `||`, parentheses, string comparison ignoring case as GitHub does).
 *
 * Like the runner, each step gets its own `$GITHUB_OUTPUT` and `$GITHUB_STEP_SUMMARY` files (outputs become
 * `steps.<id>.outputs.*`; summaries are concatenated), `$GITHUB_ENV` / `$GITHUB_PATH` lines carry over to later
 * steps, and a composite step sees the inputs only through `${{ inputs.* }}` (the runner sets no `INPUT_*`
 * variables for composite actions, so neither does this harness: a step must map them in its `env:`).
 * `uses:` steps (actions/setup-node, actions/cache) are skipped: the machine already has Node and npm.
 *
 * An expression naming a context this harness does not know throws, so a new construct in action.yml fails
 * the test instead of silently evaluating to ''.
 *
 * Reference: https://docs.github.com/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions
 * and https://docs.github.com/actions/writing-workflows/choosing-what-your-workflow-does/evaluate-expressions-in-workflows-and-actions
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';

interface ActionStep {
  name?: string;
  id?: string;
  if?: string | boolean;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string | number | boolean>;
  with?: Record<string, string | number | boolean>;
  'working-directory'?: string;
}

interface ActionManifest {
  name: string;
  inputs?: Record<string, { default?: string | number | boolean; required?: boolean }>;
  outputs?: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export interface RunActionOptions {
  /** Folder holding action.yml (`$GITHUB_ACTION_PATH`). */
  actionPath: string;
  /** The checked-out repository the action works on (`$GITHUB_WORKSPACE`, the steps' working directory). */
  workspace: string;
  /** `with:` of the calling workflow step; unset inputs take their `default`. */
  inputs?: Record<string, string>;
  /** The job's environment (secrets mapped by the workflow, registry settings…), over a minimal PATH/HOME. */
  env?: Record<string, string>;
  /** The `github` context: `event` (e.g. `{ before }` of a push), `ref` (default `refs/heads/main`). */
  github?: { event?: Record<string, unknown>; ref?: string; event_name?: string };
  /**
   * `$RUNNER_TEMP`; default a new folder `_temp-…` beside `workspace` (GitHub's runner keeps `_temp` beside
   * the work folder), so whoever removes the workspace's folder removes it too: the Action installs the CLI
   * there, 300 MiB a run, which a folder in /tmp of its own kept after every test run.
   */
  runnerTemp?: string;
  /** Per-step time limit, milliseconds; default 300,000. */
  stepTimeoutMs?: number;
}

export interface StepResult {
  name: string;
  id?: string;
  /** `skipped` for `uses:` steps and steps whose `if:` is false. */
  outcome: 'success' | 'failure' | 'skipped';
  uses?: string;
  exitCode?: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  /** Wall time of the step's script, milliseconds. */
  durationMs: number;
}

export interface ActionRun {
  /** `failure` when any step failed. */
  outcome: 'success' | 'failure';
  steps: StepResult[];
  /** Everything the steps appended to `$GITHUB_STEP_SUMMARY`, in order. */
  summary: string;
  /** The action's `outputs:`, evaluated after the last step. */
  outputs: Record<string, string>;
  runnerTemp: string;
  /** The step named (or with the id) `nameOrId`; throws when there is none. */
  step(nameOrId: string): StepResult;
}

/** Reads and parses `<actionPath>/action.yml`. */
export async function readAction(actionPath: string): Promise<ActionManifest> {
  const manifest = parse(await readFile(path.join(actionPath, 'action.yml'), 'utf8')) as ActionManifest;
  if (manifest?.runs?.using !== 'composite')
    throw new Error(`${actionPath}/action.yml is not a composite action`);
  return manifest;
}

/**
 * Runs the action's steps (see the module comment).
 * @throws Error on an expression the harness cannot evaluate or a step shell other than bash; a failing
 *   step is not thrown but reported (`outcome: 'failure'`), as on GitHub.
 */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const manifest = await readAction(options.actionPath);
  const runnerTemp =
    options.runnerTemp ?? (await mkdtemp(path.join(path.dirname(path.resolve(options.workspace)), '_temp-')));
  await mkdir(runnerTemp, { recursive: true });
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(manifest.inputs ?? {})) {
    inputs[name] = String(options.inputs?.[name] ?? spec.default ?? '');
  }
  for (const name of Object.keys(options.inputs ?? {})) {
    if (!(name in inputs)) throw new Error(`action.yml has no input "${name}"`);
  }
  const ref = options.github?.ref ?? 'refs/heads/main';
  const github = {
    event: options.github?.event ?? {},
    event_name: options.github?.event_name ?? 'push',
    ref,
    ref_name: ref.replace(/^refs\/(heads|tags)\//, ''),
    action_path: options.actionPath,
    workspace: options.workspace,
  };
  const stepsContext: Record<
    string,
    { outputs: Record<string, string>; outcome: string; conclusion: string }
  > = {};
  const context: Context = {
    inputs,
    github,
    runner: { os: 'Linux', temp: runnerTemp, arch: 'X64' },
    steps: stepsContext,
    env: {},
  };

  let extraEnv: Record<string, string> = {};
  let extraPath: string[] = [];
  let failed = false;
  const results: StepResult[] = [];
  const summaries: string[] = [];

  for (const [index, step] of manifest.runs.steps.entries()) {
    const name = step.name ?? step.uses ?? step.run?.split('\n')[0] ?? `step ${index + 1}`;
    const status = { failed };
    const runIt = truthy(evaluate(stepCondition(step.if), context, status));
    if (step.uses || !runIt) {
      const result: StepResult = {
        name,
        outcome: 'skipped',
        stdout: '',
        stderr: '',
        outputs: {},
        durationMs: 0,
      };
      if (step.id) result.id = step.id;
      if (step.uses) result.uses = step.uses;
      results.push(result);
      if (step.id) stepsContext[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      continue;
    }
    if (step.run === undefined) throw new Error(`step "${name}" has neither run nor uses`);
    if (step.shell !== 'bash')
      throw new Error(`step "${name}": shell "${step.shell}" (the harness runs bash)`);

    const files = {
      output: path.join(runnerTemp, `_step${index}_output`),
      summary: path.join(runnerTemp, `_step${index}_summary`),
      env: path.join(runnerTemp, `_step${index}_env`),
      path: path.join(runnerTemp, `_step${index}_path`),
      script: path.join(runnerTemp, `_step${index}.sh`),
    };
    for (const file of [files.output, files.summary, files.env, files.path]) await writeFile(file, '');
    await writeFile(files.script, substitute(step.run, context, status));
    const stepEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries(step.env ?? {})) {
      stepEnv[key] = substitute(String(value), context, status);
    }
    const basePath = [...extraPath, options.env?.PATH ?? process.env.PATH ?? ''].join(path.delimiter);
    const env: Record<string, string> = {
      HOME: process.env.HOME ?? '/tmp',
      ...options.env,
      PATH: basePath,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_ACTION_PATH: options.actionPath,
      GITHUB_REF: github.ref,
      GITHUB_REF_NAME: github.ref_name,
      GITHUB_EVENT_NAME: github.event_name,
      RUNNER_TEMP: runnerTemp,
      RUNNER_OS: 'Linux',
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_ENV: files.env,
      GITHUB_PATH: files.path,
      ...extraEnv,
      ...stepEnv,
    };
    const cwd = step['working-directory']
      ? path.resolve(options.workspace, substitute(step['working-directory'], context, status))
      : options.workspace;
    const started = performance.now();
    const { code, stdout, stderr } = await runBash(files.script, cwd, env, options.stepTimeoutMs ?? 300_000);
    const durationMs = performance.now() - started;
    const outputs = parseFileCommand(await readFile(files.output, 'utf8'));
    summaries.push(await readFile(files.summary, 'utf8'));
    extraEnv = { ...extraEnv, ...parseFileCommand(await readFile(files.env, 'utf8')) };
    extraPath = [...(await readFile(files.path, 'utf8')).split('\n').filter(Boolean).reverse(), ...extraPath];
    const outcome = code === 0 ? 'success' : 'failure';
    if (outcome === 'failure') failed = true;
    const result: StepResult = { name, outcome, exitCode: code, stdout, stderr, outputs, durationMs };
    if (step.id) {
      result.id = step.id;
      stepsContext[step.id] = { outputs, outcome, conclusion: outcome };
    }
    results.push(result);
  }

  const outputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(manifest.outputs ?? {})) {
    outputs[name] = substitute(spec.value, context, { failed });
  }
  return {
    outcome: failed ? 'failure' : 'success',
    steps: results,
    summary: summaries.join(''),
    outputs,
    runnerTemp,
    step(nameOrId) {
      const found = results.find((s) => s.name === nameOrId || s.id === nameOrId);
      if (!found) throw new Error(`no step "${nameOrId}" in action.yml`);
      return found;
    },
  };
}

function runBash(
  script: string,
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** `name=value` lines and `name<<DELIMITER … DELIMITER` blocks of $GITHUB_OUTPUT / $GITHUB_ENV. */
export function parseFileCommand(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] as string);
      if (i >= lines.length) throw new Error(`unterminated ${name}<<${delimiter} block`);
      result[name] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`malformed file-command line: ${line}`);
    result[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return result;
}

// --- expressions ------------------------------------------------------------------------------------------

type Value = string | number | boolean | null | Record<string, unknown>;

interface Context {
  inputs: Record<string, string>;
  github: Record<string, unknown>;
  runner: Record<string, string>;
  steps: Record<string, unknown>;
  env: Record<string, string>;
}

/**
 * A step's `if:` as the runner evaluates it: without a status function (`success()`, `failure()`, `always()`,
 * `cancelled()`) it is `success() && (<if>)`, so a step after a failed one only runs when it says so.
 */
export function stepCondition(condition: string | boolean | undefined): string {
  if (condition === undefined) return 'success()';
  const expr = stripTemplate(String(condition));
  return /\b(success|failure|always|cancelled)\s*\(/.test(expr) ? expr : `success() && (${expr})`;
}

function stripTemplate(text: string): string {
  const match = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(text);
  return match ? (match[1] as string) : text;
}

/** Replaces every `${{ expr }}` of `text` by its value as a string (null → ''). */
function substitute(text: string, context: Context, status: { failed: boolean }): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => toText(evaluate(expr, context, status)));
}

function toText(value: Value): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function truthy(value: Value): boolean {
  return !(value === null || value === false || value === 0 || value === '' || Number.isNaN(value));
}

type Token = { type: 'op' | 'str' | 'num' | 'ident'; text: string };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const rest = expr.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const op = /^(==|!=|&&|\|\||<=|>=|[!()<>,])/.exec(rest);
    if (op) {
      tokens.push({ type: 'op', text: op[0] });
      i += op[0].length;
      continue;
    }
    const str = /^'((?:[^']|'')*)'/.exec(rest);
    if (str) {
      tokens.push({ type: 'str', text: (str[1] as string).replaceAll("''", "'") });
      i += str[0].length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(rest);
    if (num) {
      tokens.push({ type: 'num', text: num[0] });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_*][A-Za-z0-9_-]*)*/.exec(rest);
    if (ident) {
      tokens.push({ type: 'ident', text: ident[0] });
      i += ident[0].length;
      continue;
    }
    throw new Error(`expression "${expr}": cannot read "${rest}"`);
  }
  return tokens;
}

/** Evaluates one expression (the part inside `${{ }}`) against `context`. */
function evaluate(expr: string, context: Context, status: { failed: boolean }): Value {
  const tokens = tokenize(expr);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (text?: string): Token => {
    const token = tokens[pos];
    if (!token || (text !== undefined && token.text !== text)) {
      throw new Error(`expression "${expr}": expected ${text ?? 'a value'} at token ${pos + 1}`);
    }
    pos++;
    return token;
  };
  const equal = (a: Value, b: Value): boolean =>
    typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;

  function orExpr(): Value {
    let left = andExpr();
    while (peek()?.text === '||') {
      take();
      const right = andExpr();
      left = truthy(left) ? left : right;
    }
    return left;
  }
  function andExpr(): Value {
    let left = compare();
    while (peek()?.text === '&&') {
      take();
      const right = compare();
      left = truthy(left) ? right : left;
    }
    return left;
  }
  function compare(): Value {
    const left = unary();
    const op = peek()?.text;
    if (op === '==' || op === '!=') {
      take();
      const right = unary();
      return op === '==' ? equal(left, right) : !equal(left, right);
    }
    return left;
  }
  function unary(): Value {
    if (peek()?.text === '!') {
      take();
      return !truthy(unary());
    }
    return primary();
  }
  function primary(): Value {
    const token = take();
    if (token.type === 'op' && token.text === '(') {
      const value = orExpr();
      take(')');
      return value;
    }
    if (token.type === 'str') return token.text;
    if (token.type === 'num') return Number(token.text);
    if (token.type !== 'ident') throw new Error(`expression "${expr}": unexpected "${token.text}"`);
    if (token.text === 'true') return true;
    if (token.text === 'false') return false;
    if (token.text === 'null') return null;
    if (peek()?.text === '(') {
      take('(');
      take(')');
      switch (token.text) {
        case 'success':
          return !status.failed;
        case 'failure':
          return status.failed;
        case 'always':
          return true;
        case 'cancelled':
          return false;
        default:
          throw new Error(`expression "${expr}": the harness does not know ${token.text}()`);
      }
    }
    return lookup(token.text);
  }
  function lookup(name: string): Value {
    const [root, ...rest] = name.split('.');
    if (!root || !(root in context)) throw new Error(`expression "${expr}": unknown context "${root}"`);
    let value: unknown = context[root as keyof Context];
    for (const [i, part] of rest.entries()) {
      if (value === null || value === undefined || typeof value !== 'object') return null;
      const record = value as Record<string, unknown>;
      if (root === 'inputs' && !(part in record)) throw new Error(`expression "${expr}": no input "${part}"`);
      if (root === 'steps' && i === 0 && !(part in record)) {
        throw new Error(`expression "${expr}": no earlier step with id "${part}"`);
      }
      value = record[part];
    }
    return (value ?? null) as Value;
  }

  const value = orExpr();
  if (pos !== tokens.length) throw new Error(`expression "${expr}": unexpected "${tokens[pos]?.text}"`);
  return value;
}
