/**
 * A run's progress as MCP progress notifications (https://modelcontextprotocol.io/specification/2025-06-18/basic/utilities/progress),
 * sent when the client asked for them with a `progressToken`. A push uploads images and a publish waits for
 * WeChat, both for longer than clients' default request timeout; clients that reset it on progress
 * (`resetTimeoutOnProgress`) then keep waiting, and the user sees what is happening.
 */
import type { PublishEvent } from '@md2wx/publish';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import path from 'node:path';

/** One line for an event worth telling, or undefined (render-started, etc. are implied by the next line). */
export function describeEvent(event: PublishEvent): string | undefined {
  switch (event.type) {
    case 'image':
      if (!['uploaded', 'cached', 'written', 'failed'].includes(event.image.stage)) return undefined;
      return `${path.basename(event.file)}: image ${event.image.src} ${event.image.stage} (${event.image.totals.uploaded + event.image.totals.cached + event.image.totals.written}/${event.image.totals.images})`;
    case 'cover-uploaded':
      return `${path.basename(event.file)}: cover ${event.cached ? 'already on WeChat' : 'uploaded'} (media_id ${event.media_id})`;
    case 'draft-saved':
      return `draft ${event.action} (media_id ${event.media_id})`;
    case 'publish-submitted':
      return `publishing draft ${event.media_id} (publish_id ${event.publish_id}); waiting for WeChat`;
    case 'published':
      return `published: ${event.urls.join(' ') || event.article_id || event.publish_id}`;
    default:
      return undefined;
  }
}

/**
 * The `onProgress` listener for one tool call: each event worth telling becomes a `notifications/progress`
 * with an increasing `progress` count (no `total`: the number of steps is not known up front).
 * @returns undefined when the client sent no progress token.
 */
export function progressListener(
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
): ((event: PublishEvent) => void) | undefined {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  let progress = 0;
  return (event) => {
    const message = describeEvent(event);
    if (message === undefined) return;
    progress += 1;
    // A client gone mid-run must not fail the run: its result is still recorded in the state file.
    extra
      .sendNotification({ method: 'notifications/progress', params: { progressToken, progress, message } })
      .catch(() => {});
  };
}
