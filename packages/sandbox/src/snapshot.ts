import type { SandboxState } from './state.js';
import type { SandboxSnapshot } from './types.js';

/** A deep-enough copy of the sandbox state for `inspect()` (no buffers). */
export function snapshot(state: SandboxState): SandboxSnapshot {
  const media = [...state.media.values()];
  return {
    drafts: [...state.drafts.values()].map((d) => ({
      media_id: d.mediaId,
      appId: d.principal,
      articles: d.articles.map((a) => ({ ...a })),
    })),
    materials: media
      .filter((m) => m.lifetime === 'permanent')
      .map((m) => ({
        media_id: m.mediaId,
        appId: m.principal,
        type: m.type,
        filename: m.filename,
        bytes: m.data.length,
        ...(m.url ? { url: m.url } : {}),
      })),
    temporaryMedia: media
      .filter((m) => m.lifetime === 'temp')
      .map((m) => ({
        media_id: m.mediaId,
        principal: m.principal,
        type: m.type,
        filename: m.filename,
        bytes: m.data.length,
      })),
    publishJobs: [...state.publishJobs.values()].map((j) => ({
      publish_id: j.publishId,
      appId: j.principal,
      publish_status: j.status,
      ...(j.articleId ? { article_id: j.articleId } : {}),
    })),
    messages: state.messages.map((m) => ({
      msgid: m.msgid,
      corpId: m.corpId,
      agentId: m.agentId,
      body: m.body,
    })),
    callbacks: state.callbacks.map((c) => ({ ...c })),
  };
}
