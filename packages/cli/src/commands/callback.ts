/**
 * `md2wx callback verify-url|decrypt`: debug a callback endpoint (seeds/001 C1, wechat-api.md §3.8–3.9) with the
 * same WXBizMsgCrypt the library uses. Paste the request URL as WeChat called it (query: msg_signature,
 * timestamp, nonce, and echostr for verification); `decrypt` also takes the POST body (a file or `-` for stdin).
 * The callback Token and EncodingAESKey are secrets: they come from MD2WX_CALLBACK_TOKEN and
 * MD2WX_CALLBACK_AES_KEY (environment or .env), never from flags, and are never printed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadDotenv } from '@md2wx/publish';
import { ConfigError, ExitCode, type ExitCodeValue, UsageError } from '../errors.js';
import type { Session } from '../session.js';

/** Options of `md2wx callback …`. */
export interface CallbackOptions {
  /** CorpID (WeCom) or AppID (Official Account) the messages are encrypted for; default the configured one. */
  receiveId?: string;
}

async function crypt(session: Session, options: CallbackOptions) {
  const env = await loadDotenv(session.config.cwd, process.env);
  const token = env.MD2WX_CALLBACK_TOKEN;
  const encodingAESKey = env.MD2WX_CALLBACK_AES_KEY;
  if (!token || !encodingAESKey) {
    throw new ConfigError(
      'set MD2WX_CALLBACK_TOKEN and MD2WX_CALLBACK_AES_KEY (the Token and EncodingAESKey of the callback URL settings) in the environment or .env',
    );
  }
  const receiveId =
    options.receiveId ??
    (session.config.platform === 'wecom' ? session.config.wecom?.corpId : session.config.oa?.appId) ??
    session.config.wecom?.corpId;
  if (!receiveId) {
    throw new ConfigError(
      'no receiveId: pass --receive-id (the CorpID, or the AppID of an Official Account)',
    );
  }
  const { WXBizMsgCrypt } = await session.wechatModule();
  return new WXBizMsgCrypt({ token, encodingAESKey, receiveId });
}

function queryOf(url: string): URLSearchParams {
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://callback.invalid');
  } catch {
    throw new UsageError(`not a URL: ${url}`);
  }
  const query = parsed.searchParams;
  for (const name of ['msg_signature', 'timestamp', 'nonce']) {
    if (!query.get(name))
      throw new UsageError(`${url}: the query has no ${name} (paste the URL WeChat called)`);
  }
  return query;
}

async function readBody(session: Session, source: string): Promise<string> {
  if (source === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  return readFile(path.resolve(session.config.cwd, source), 'utf8');
}

/**
 * `verify-url <url>`: checks msg_signature over echostr and prints the plaintext the endpoint must answer.
 * `decrypt <url> <body>`: checks the signature and prints the decrypted message (XML or JSON).
 * @throws WXBizMsgCryptError (exit 1) with WeChat's code: -40001 signature mismatch (wrong Token), -40007
 *   AES failure (wrong EncodingAESKey), -40005 another receiveId.
 */
export async function runCallback(
  session: Session,
  action: 'verify-url' | 'decrypt',
  url: string,
  body: string | undefined,
  options: CallbackOptions,
): Promise<ExitCodeValue> {
  const { reporter } = session;
  const query = queryOf(url);
  const msgCrypt = await crypt(session, options);
  const msg_signature = query.get('msg_signature') as string;
  const timestamp = query.get('timestamp') as string;
  const nonce = query.get('nonce') as string;
  if (action === 'verify-url') {
    const echostr = query.get('echostr');
    if (!echostr)
      throw new UsageError(`${url}: the query has no echostr (verify-url is the GET WeChat sends)`);
    const plain = msgCrypt.verifyUrl(msg_signature, timestamp, nonce, echostr);
    reporter.emitJson({ ok: true, echo: plain });
    reporter.result(plain);
    reporter.success(
      'signature ok: answer the GET with exactly the line above (no quotes or newline) within 1 s',
    );
    return ExitCode.ok;
  }
  if (!body) throw new UsageError('callback decrypt needs the POST body: a file, or - for stdin');
  const decrypted = msgCrypt.decryptMessage({
    msg_signature,
    timestamp,
    nonce,
    body: await readBody(session, body),
  });
  const { parseCallbackMessage } = await session.wechatModule();
  let event: unknown;
  try {
    event = parseCallbackMessage(decrypted.message);
  } catch {}
  reporter.emitJson({ ok: true, format: decrypted.format, message: decrypted.message, event });
  reporter.result(decrypted.message);
  reporter.success(`signature ok; ${decrypted.format.toUpperCase()} message for ${decrypted.receiveId}`);
  return ExitCode.ok;
}
