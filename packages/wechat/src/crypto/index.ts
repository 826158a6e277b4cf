export {
  type CallbackFields,
  type CallbackValue,
  getCallbackField,
  MAX_CALLBACK_BODY_BYTES,
  MAX_CALLBACK_DEPTH,
  type ParsedCallbackBody,
  parseCallbackBody,
  parseCallbackXml,
} from './callback-body.js';
export {
  CallbackEventError,
  JssdkSignatureError,
  WXBizMsgCryptError,
  WXBizMsgCryptErrorCode,
  type WXBizMsgCryptErrorCodeValue,
} from './errors.js';
export {
  type CallbackMessage,
  isUploadMediaJobFinish,
  parseCallbackMessage,
  parseUploadMediaJobFinish,
  type UploadMediaJobFinishEvent,
} from './events.js';
export {
  buildJssdkConfig,
  type JssdkConfig,
  type JssdkSignatureInput,
  jssdkSignature,
  stripUrlFragment,
} from './jssdk.js';
export {
  type DecryptedCallback,
  type DecryptedMessage,
  type DecryptMessageInput,
  type EncryptedMessage,
  type EncryptOptions,
  WXBizMsgCrypt,
  type WXBizMsgCryptOptions,
} from './msg-crypt.js';
export { createNonce, unixSeconds } from './nonce.js';
export { pkcs7Pad, pkcs7Unpad, WECHAT_PKCS7_BLOCK_SIZE } from './pkcs7.js';
export { callbackSignature, signaturesEqual, verifyPlainSignature } from './signature.js';
