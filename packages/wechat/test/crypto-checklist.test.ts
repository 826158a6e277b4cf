import { describe, expect, it } from 'vitest';
import { parseCallbackMessage, parseUploadMediaJobFinish } from '../src/crypto/index.js';

// The WeCom media code-review checklist (R1–R16, see wecom-checklist.test.ts), items that concern callbacks. The
// checklist has no crypto item; R12 (status=3 and the 8300xx codes of async jobs) touches callbacks because the
// upload_media_job_finish event is how a job's end is announced.

describe('WeCom media checklist: callback items', () => {
  it('R12: upload_media_job_finish only announces the end of a job — no status or media_id is inferred from it', () => {
    // A failed job (status 3, detail.errcode 830001) and a successful one produce the same event: the callback
    // carries the JobId only ("回调仅通知任务完成，不包含具体结果。收到回调后需调用 M6 查询实际结果").
    const xml = (jobId: string) =>
      `<xml><ToUserName><![CDATA[ww5a1dbox00000001]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1425284517</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[upload_media_job_finish]]></Event><JobId><![CDATA[${jobId}]]></JobId></xml>`;
    const ok = parseUploadMediaJobFinish(xml('jobid_ok'));
    const failed = parseUploadMediaJobFinish(xml('jobid_failed'));
    expect(Object.keys(ok).sort()).toEqual([
      'createTime',
      'event',
      'fromUserName',
      'jobId',
      'msgType',
      'toUserName',
    ]);
    expect({ ...failed, jobId: 'jobid_ok' }).toEqual(ok);
    // Even if a future event carried extra fields, they stay in `fields` and are not promoted to a result.
    const extended = parseCallbackMessage(xml('jobid_x').replace('</xml>', '<Status>3</Status></xml>'));
    expect(parseUploadMediaJobFinish(extended.fields)).not.toHaveProperty('status');
    expect(extended.fields.Status).toBe('3');
  });
});
