import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WXBizMsgCryptError, WXBizMsgCryptErrorCode } from './errors.js';

/** A field of a callback message: text, a nested element, or a repeated element. */
export type CallbackValue = string | number | boolean | null | CallbackFields | CallbackValue[];

/** The children of a callback's `<xml>` root (or the members of a JSON callback), as WeChat names them. */
export interface CallbackFields {
  [name: string]: CallbackValue;
}

/** A callback body after parsing: which envelope format it used, and its fields. */
export interface ParsedCallbackBody {
  format: 'xml' | 'json';
  fields: CallbackFields;
}

// Values stay strings: `CreateTime`, `AgentID` or an all-digit `Content` must not turn into numbers (a 19-digit
// MsgId would lose precision), and CDATA keeps its inner whitespace.
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

function toText(body: string | Uint8Array): string {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  return text.replace(/^\uFEFF/, '').trim();
}

// Rebuild as plain data with null prototypes so a tag named `__proto__` or `constructor` is just a field.
function sanitize(value: unknown): CallbackValue {
  if (Array.isArray(value)) return value.map(sanitize);
  if (value !== null && typeof value === 'object') {
    const out: CallbackFields = Object.create(null);
    for (const [key, child] of Object.entries(value)) out[key] = sanitize(child);
    return out;
  }
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value === null
  ) {
    return value;
  }
  return String(value);
}

/**
 * Parse a WeChat callback XML document (`<xml>…</xml>`: the encrypted envelope, or a decrypted message such as
 * the `upload_media_job_finish` event of wechat-api.md §3.8) into its fields. Text and CDATA become strings
 * (never numbers), an empty element becomes `''`, nested elements become objects, repeated elements arrays.
 *
 * DOCTYPE and ENTITY declarations are refused: WeChat never sends them, and they are the vehicle of XXE and
 * entity-expansion attacks on a public callback URL.
 *
 * @throws WXBizMsgCryptError -40002 (Parse_Error) when the text is not well-formed XML (the message gives line
 *   and column), declares a DOCTYPE, uses a reserved element name such as `__proto__`, or its root element is
 *   not `<xml>`.
 */
export function parseCallbackXml(xml: string | Uint8Array): CallbackFields {
  const text = toText(xml);
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new WXBizMsgCryptError(
      WXBizMsgCryptErrorCode.Parse,
      'callback XML declares a DOCTYPE/ENTITY, which WeChat never sends: refusing to parse it',
    );
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new WXBizMsgCryptError(
      WXBizMsgCryptErrorCode.Parse,
      `callback body is not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (error) {
    // fast-xml-parser refuses names such as `__proto__` itself rather than risk prototype pollution.
    throw new WXBizMsgCryptError(
      WXBizMsgCryptErrorCode.Parse,
      `callback XML could not be parsed: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const doc = sanitize(parsed);
  const keys = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? Object.keys(doc) : [];
  if (keys.length !== 1 || keys[0] !== 'xml') {
    throw new WXBizMsgCryptError(
      WXBizMsgCryptErrorCode.Parse,
      `callback XML must have a single <xml> root element, found ${keys.length ? keys.map((k) => `<${k}>`).join(', ') : 'none'}`,
    );
  }
  const root = (doc as CallbackFields).xml;
  if (root === '' || root === undefined) return Object.create(null) as CallbackFields;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new WXBizMsgCryptError(
      WXBizMsgCryptErrorCode.Parse,
      'callback XML root <xml> holds text instead of child elements',
    );
  }
  return root;
}

/**
 * Parse a callback body in either envelope format WeChat uses (wechat-api.md §3.9): XML (`<xml>…</xml>`, the
 * default for OA and WeCom apps) or JSON (`{"tousername","encrypt","agentid"}`, WeCom's JSON callback mode).
 * The format is sniffed from the first non-blank character, not from a Content-Type.
 *
 * @throws WXBizMsgCryptError -40002 (Parse_Error) when the body is empty, neither XML nor a JSON object, or
 *   malformed.
 */
export function parseCallbackBody(body: string | Uint8Array): ParsedCallbackBody {
  const text = toText(body);
  if (text.startsWith('<')) return { format: 'xml', fields: parseCallbackXml(text) };
  if (text.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new WXBizMsgCryptError(
        WXBizMsgCryptErrorCode.Parse,
        `callback body is not valid JSON: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const fields = sanitize(value);
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
      throw new WXBizMsgCryptError(WXBizMsgCryptErrorCode.Parse, 'callback JSON body must be an object');
    }
    return { format: 'json', fields };
  }
  throw new WXBizMsgCryptError(
    WXBizMsgCryptErrorCode.Parse,
    text === ''
      ? 'callback body is empty: expected the XML or JSON envelope WeChat POSTs'
      : 'callback body is neither XML (starting with "<") nor JSON (starting with "{")',
  );
}

/** Normalised lookup key: `ToUserName`, `tousername` and `to_user_name` all match. */
function fieldKey(name: string): string {
  return name.toLowerCase().replace(/_/g, '');
}

/**
 * Read a field by WeChat's name, ignoring case and underscores, because the XML envelope says `Encrypt`/`ToUserName`,
 * WeCom's JSON envelope `encrypt`/`tousername`. Returns `undefined` when absent.
 */
export function getCallbackField(fields: CallbackFields, name: string): CallbackValue | undefined {
  if (Object.hasOwn(fields, name)) return fields[name];
  const wanted = fieldKey(name);
  for (const key of Object.keys(fields)) if (fieldKey(key) === wanted) return fields[key];
  return undefined;
}
