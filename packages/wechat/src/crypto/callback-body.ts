import { createRequire } from 'node:module';
import type * as FastXmlParser from 'fast-xml-parser';
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
let xml: { parser: FastXmlParser.XMLParser; validator: typeof FastXmlParser.XMLValidator } | undefined;

/**
 * fast-xml-parser, loaded on the first callback parsed (its one-file CommonJS build): a process that never
 * reads a callback — every md2wx draft run — does not pay for its module tree at start-up.
 */
function xmlParser(): NonNullable<typeof xml> {
  if (!xml) {
    const require = createRequire(import.meta.url);
    const fxp = require('fast-xml-parser') as typeof FastXmlParser;
    xml = {
      parser: new fxp.XMLParser({
        ignoreAttributes: true,
        parseTagValue: false,
        trimValues: true,
        processEntities: true,
        htmlEntities: false,
        ignoreDeclaration: true,
        ignorePiTags: true,
      }),
      validator: fxp.XMLValidator,
    };
  }
  return xml;
}

/**
 * Largest callback body parsed, bytes (UTF-8). WeChat's envelopes and messages are a few KB; anything bigger is
 * refused before any parser sees it, since the body is unsigned until `Encrypt` is checked.
 */
export const MAX_CALLBACK_BODY_BYTES = 1024 * 1024;
/** Deepest element / object nesting parsed. WeChat's deepest messages (menus, articles) nest 4–5 levels. */
export const MAX_CALLBACK_DEPTH = 32;

function toText(body: string | Uint8Array): string {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new WXBizMsgCryptError(
      WXBizMsgCryptErrorCode.Parse,
      `callback body must be a string or bytes, got ${describeType(body)}`,
    );
  }
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > MAX_CALLBACK_BODY_BYTES) {
    throw new WXBizMsgCryptError(
      WXBizMsgCryptErrorCode.Parse,
      `callback body is ${size} bytes, over the ${MAX_CALLBACK_BODY_BYTES}-byte bound: WeChat never sends that much`,
    );
  }
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  return text.replace(/^\uFEFF/, '').trim();
}

/** `array`, `null`, `number`… for messages about a value of the wrong type. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function tooDeep(): WXBizMsgCryptError {
  return new WXBizMsgCryptError(
    WXBizMsgCryptErrorCode.Parse,
    `callback body nests deeper than ${MAX_CALLBACK_DEPTH} levels: WeChat never sends that, refusing to parse it`,
  );
}

/**
 * Nesting depth of JSON text (brackets outside strings), stopping early past the bound. A linear scan, so a
 * 3,000-deep body is refused before `JSON.parse` or any recursive walk sees it.
 */
function checkJsonDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_CALLBACK_DEPTH) throw tooDeep();
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** Element nesting depth of XML text (start tags minus end tags, comments, CDATA and PIs skipped). */
function checkXmlDepth(text: string): void {
  let depth = 0;
  let i = text.indexOf('<');
  while (i >= 0 && i < text.length) {
    if (text.startsWith('<![CDATA[', i)) i = text.indexOf(']]>', i) + 3;
    else if (text.startsWith('<!--', i)) i = text.indexOf('-->', i) + 3;
    else if (text[i + 1] === '?' || text[i + 1] === '!') i = text.indexOf('>', i) + 1;
    else if (text[i + 1] === '/') {
      depth--;
      i = text.indexOf('>', i) + 1;
    } else {
      const end = text.indexOf('>', i);
      if (end < 0) return; // the validator reports the unclosed tag
      if (text[end - 1] !== '/' && ++depth > MAX_CALLBACK_DEPTH) throw tooDeep();
      i = end + 1;
    }
    if (i <= 0) return;
    i = text.indexOf('<', i);
  }
}

// Rebuild as plain data with null prototypes so a tag named `__proto__` or `constructor` is just a field.
function sanitize(value: unknown, depth = 0): CallbackValue {
  if (depth > MAX_CALLBACK_DEPTH + 1) throw tooDeep();
  if (Array.isArray(value)) return value.map((child) => sanitize(child, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: CallbackFields = Object.create(null);
    for (const [key, child] of Object.entries(value)) out[key] = sanitize(child, depth + 1);
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
 * Parse a WeChat callback XML document (`<xml>…</xml>`: the encrypted envelope, or a decrypted message such
 * as the `upload_media_job_finish` event of https://developer.work.weixin.qq.com/document/path/96219) into
 * its fields. Text and CDATA become strings (never numbers), an empty element becomes `''`, nested elements
 * become objects, repeated elements arrays.
 *
 * DOCTYPE and ENTITY declarations are refused: WeChat never sends them, and they are the vehicle of XXE and
 * entity-expansion attacks on a public callback URL.
 *
 * @throws WXBizMsgCryptError -40002 (Parse_Error) when the text is not well-formed XML (the message gives line
 *   and column), is over `MAX_CALLBACK_BODY_BYTES` (1 MiB) or nests deeper than `MAX_CALLBACK_DEPTH` (32), declares
 *   a DOCTYPE, uses a reserved element name such as `__proto__`, or its root element is
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
  checkXmlDepth(text);
  const valid = xmlParser().validator.validate(text);
  if (valid !== true) {
    throw new WXBizMsgCryptError(
      WXBizMsgCryptErrorCode.Parse,
      `callback body is not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = xmlParser().parser.parse(text);
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
 * Parse a callback body in either envelope format WeChat uses
 * (https://developer.work.weixin.qq.com/document/path/91144): XML (`<xml>…</xml>`, the default for OA and
 * WeCom apps) or JSON (`{"tousername","encrypt","agentid"}`, WeCom's JSON callback mode). The format is
 * sniffed from the first non-blank character, not from a Content-Type.
 *
 * @throws WXBizMsgCryptError -40002 (Parse_Error) when the body is empty, neither XML nor a JSON object,
 *   malformed, not a string or bytes, over `MAX_CALLBACK_BODY_BYTES` (1 MiB) or nested deeper than
 *   `MAX_CALLBACK_DEPTH` (32). Size and depth are checked before any parser runs.
 */
export function parseCallbackBody(body: string | Uint8Array): ParsedCallbackBody {
  const text = toText(body);
  if (text.startsWith('<')) return { format: 'xml', fields: parseCallbackXml(text) };
  if (text.startsWith('{')) {
    checkJsonDepth(text);
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
