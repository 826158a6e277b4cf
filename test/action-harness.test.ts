/**
 * The action harness itself (support/action-harness.ts): a composite action written here, so the runner
 * semantics the action e2e test relies on — implicit success(), always(), step outputs, $GITHUB_ENV,
 * summaries — are checked on their own, in about a second.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFileCommand, runAction, stepCondition } from './support/action-harness.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'md2wx-harness-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function action(yaml: string): Promise<string> {
  const actionPath = await mkdtemp(path.join(dir, 'action-'));
  await writeFile(path.join(actionPath, 'action.yml'), yaml);
  return actionPath;
}

const ACTION = `
name: t
inputs:
  greeting: { default: hello }
  fail: { default: "false" }
outputs:
  said:
    value: \${{ steps.say.outputs.said }}
runs:
  using: composite
  steps:
    - uses: actions/setup-node@v4
    - id: say
      shell: bash
      env:
        GREETING: \${{ inputs.greeting }}
      run: |
        echo "said=$GREETING from $(basename "$PWD")" >> "$GITHUB_OUTPUT"
        echo "CARRIED=yes" >> "$GITHUB_ENV"
        echo "one" >> "$GITHUB_STEP_SUMMARY"
        test -z "\${INPUT_GREETING:-}"
    - name: maybe fail
      if: inputs.fail == 'TRUE'
      shell: bash
      run: echo "env $CARRIED"; exit 7
    - name: after a failure
      shell: bash
      run: echo never
    - name: always
      if: always()
      shell: bash
      run: echo "two \${{ steps.say.outputs.said }}" >> "$GITHUB_STEP_SUMMARY"
`;

describe('runAction', () => {
  it('runs the run steps in order, skips uses steps, passes outputs, env and summaries on', async () => {
    const workspace = await mkdtemp(path.join(dir, 'blog-'));
    const run = await runAction({ actionPath: await action(ACTION), workspace, inputs: { greeting: 'hi' } });
    expect(run.outcome).toBe('success');
    expect(run.steps.map((s) => s.outcome)).toEqual(['skipped', 'success', 'skipped', 'success', 'success']);
    expect(run.outputs.said).toBe(`hi from ${path.basename(workspace)}`);
    expect(run.summary).toBe(`one\ntwo hi from ${path.basename(workspace)}\n`);
  });

  it('after a failed step runs only the steps whose if: says always()', async () => {
    const workspace = await mkdtemp(path.join(dir, 'blog-'));
    const run = await runAction({ actionPath: await action(ACTION), workspace, inputs: { fail: 'true' } });
    expect(run.outcome).toBe('failure');
    expect(run.step('maybe fail')).toMatchObject({ outcome: 'failure', exitCode: 7, stdout: 'env yes\n' });
    expect(run.step('after a failure').outcome).toBe('skipped');
    expect(run.step('always').outcome).toBe('success');
  });

  it('refuses inputs and contexts action.yml does not have', async () => {
    const workspace = await mkdtemp(path.join(dir, 'blog-'));
    const actionPath = await action(ACTION);
    await expect(runAction({ actionPath, workspace, inputs: { greting: 'x' } })).rejects.toThrow(
      /no input "greting"/,
    );
    const typo = await action(
      ACTION.replace('steps.say.outputs.said }}" >>', 'stepz.say.outputs.said }}" >>'),
    );
    await expect(runAction({ actionPath: typo, workspace })).rejects.toThrow(/unknown context "stepz"/);
  });
});

describe('runner semantics', () => {
  it('an if: without a status function means success() && …', () => {
    expect(stepCondition(undefined)).toBe('success()');
    expect(stepCondition("inputs.a == 'true'")).toBe("success() && (inputs.a == 'true')");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JS template
    expect(stepCondition("${{ always() && inputs.a == 'true' }}")).toBe(" always() && inputs.a == 'true' ");
  });

  it('reads name=value lines and name<<DELIMITER blocks', () => {
    expect(parseFileCommand('a=1\nb<<EOF\nx\ny=z\nEOF\nc=\n')).toEqual({ a: '1', b: 'x\ny=z', c: '' });
    expect(() => parseFileCommand('b<<EOF\nx\n')).toThrow(/unterminated/);
  });
});
