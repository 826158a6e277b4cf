import {
  type CallbackFields,
  type CallbackValue,
  describeType,
  getCallbackField,
  parseCallbackBody,
} from './callback-body.js';
import { CallbackEventError, WXBizMsgCryptError, WXBizMsgCryptErrorCode } from './errors.js';

/**
 * The common header of a decrypted callback message or event, read from XML or JSON. Fields WeChat left out
 * stay `undefined` (suite callbacks, for instance, carry `InfoType` instead of `MsgType`); `fields` holds every
 * field as received.
 */
export interface CallbackMessage {
  toUserName?: string;
  fromUserName?: string;
  /** Unix seconds. */
  createTime?: number;
  msgType?: string;
  event?: string;
  /** WeCom app id (`AgentID`), as a string. */
  agentId?: string;
  fields: CallbackFields;
}

/**
 * WeCom's notice that an async `media/upload_by_url` job finished
 * (https://developer.work.weixin.qq.com/document/path/96219). It carries the job id only, not
 * the outcome: query `media/get_upload_by_url_result`
 * (https://developer.work.weixin.qq.com/document/path/96219) with `jobId` to learn whether it succeeded
 * (status 2, `media_id`) or failed (status 3, `detail.errcode`).
 */
export interface UploadMediaJobFinishEvent {
  /** The CorpID (suite id for third-party apps). */
  toUserName: string;
  /** `sys` for system events. */
  fromUserName: string;
  /** Unix seconds. */
  createTime: number;
  msgType: 'event';
  event: 'upload_media_job_finish';
  /** The `jobid` returned by `media/upload_by_url`. */
  jobId: string;
  /** Present only if WeCom sends `AgentID` in this event (UNCONFIRMED: no source says). */
  agentId?: string;
}

function asFields(input: string | Uint8Array | CallbackFields): CallbackFields {
  if (typeof input === 'string' || input instanceof Uint8Array) return parseCallbackBody(input).fields;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new WXBizMsgCryptError(
      WXBizMsgCryptErrorCode.Parse,
      `callback message must be XML/JSON text, bytes or parsed fields, got ${describeType(input)}`,
    );
  }
  return input;
}

function text(value: CallbackValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function seconds(value: CallbackValue | undefined): number | undefined {
  const raw = text(value)?.trim();
  if (raw === undefined || !/^\d{1,12}$/.test(raw)) return undefined;
  return Number(raw);
}

/**
 * Read the common header of a decrypted callback (the `message` of `WXBizMsgCrypt.decryptMessage`, or a
 * plaintext-mode body): XML `<xml><ToUserName/><FromUserName/><CreateTime/><MsgType/><Event/>…</xml>` or the
 * same fields as JSON members (names matched ignoring case and underscores).
 * See https://developer.work.weixin.qq.com/document/path/96219 and
 * https://developer.work.weixin.qq.com/document/path/91144.
 *
 * @throws WXBizMsgCryptError -40002 when a string input is not well-formed XML/JSON (see `parseCallbackBody`: size
 *   and depth bounds included) or the input is neither text, bytes nor an object;
 *   CallbackEventError when `CreateTime` is present but not whole Unix seconds.
 */
export function parseCallbackMessage(input: string | Uint8Array | CallbackFields): CallbackMessage {
  const fields = asFields(input);
  const message: CallbackMessage = { fields };
  const toUserName = text(getCallbackField(fields, 'ToUserName'));
  if (toUserName !== undefined) message.toUserName = toUserName;
  const fromUserName = text(getCallbackField(fields, 'FromUserName'));
  if (fromUserName !== undefined) message.fromUserName = fromUserName;
  const rawTime = getCallbackField(fields, 'CreateTime');
  if (rawTime !== undefined) {
    const createTime = seconds(rawTime);
    if (createTime === undefined) {
      throw new CallbackEventError('CreateTime', 'callback CreateTime is not whole Unix seconds');
    }
    message.createTime = createTime;
  }
  const msgType = text(getCallbackField(fields, 'MsgType'));
  if (msgType !== undefined) message.msgType = msgType;
  const event = text(getCallbackField(fields, 'Event'));
  if (event !== undefined) message.event = event;
  const agentId = text(getCallbackField(fields, 'AgentID'));
  if (agentId !== undefined && agentId !== '') message.agentId = agentId;
  return message;
}

/**
 * Whether a decrypted callback is the `upload_media_job_finish` event
 * (https://developer.work.weixin.qq.com/document/path/96219); `Event` compared case-insensitively.
 */
export function isUploadMediaJobFinish(message: CallbackMessage): boolean {
  return (
    message.msgType?.toLowerCase() === 'event' && message.event?.toLowerCase() === 'upload_media_job_finish'
  );
}

/**
 * Parse WeCom's `upload_media_job_finish` event (https://developer.work.weixin.qq.com/document/path/96219)
 * from the decrypted XML or JSON message (or its parsed fields).
 *
 * @returns `{ toUserName, fromUserName, createTime, msgType: 'event', event: 'upload_media_job_finish', jobId }`
 *   (+ `agentId` when sent).
 * @throws CallbackEventError when the message is another type or event (`field` = `MsgType`/`Event`), or
 *   `ToUserName`, `FromUserName`, `CreateTime` or `JobId` is missing or malformed; WXBizMsgCryptError -40002
 *   when the text is not XML/JSON.
 */
export function parseUploadMediaJobFinish(
  input: string | Uint8Array | CallbackFields,
): UploadMediaJobFinishEvent {
  const message = parseCallbackMessage(input);
  if (message.msgType?.toLowerCase() !== 'event') {
    throw new CallbackEventError(
      'MsgType',
      `expected MsgType "event", got ${message.msgType === undefined ? 'none' : `"${message.msgType}"`}`,
    );
  }
  if (message.event?.toLowerCase() !== 'upload_media_job_finish') {
    throw new CallbackEventError(
      'Event',
      `expected Event "upload_media_job_finish", got ${message.event === undefined ? 'none' : `"${message.event}"`}`,
    );
  }
  const jobId = text(getCallbackField(message.fields, 'JobId'))?.trim();
  if (!jobId) {
    throw new CallbackEventError(
      'JobId',
      'upload_media_job_finish event has no JobId: cannot tell which job finished',
    );
  }
  for (const [field, value] of [
    ['ToUserName', message.toUserName],
    ['FromUserName', message.fromUserName],
    ['CreateTime', message.createTime],
  ] as const) {
    if (value === undefined || value === '') {
      throw new CallbackEventError(field, `upload_media_job_finish event has no ${field}`);
    }
  }
  const event: UploadMediaJobFinishEvent = {
    toUserName: message.toUserName!,
    fromUserName: message.fromUserName!,
    createTime: message.createTime!,
    msgType: 'event',
    event: 'upload_media_job_finish',
    jobId,
  };
  if (message.agentId !== undefined) event.agentId = message.agentId;
  return event;
}
