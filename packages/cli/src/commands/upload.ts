/**
 * `md2wx upload <images…>`: body images onto WeChat, printing each permanent URL. Stills are compressed to
 * WeChat's limits and go to media/uploadimg (@md2wx/publish `uploadBodyImages`); animated GIFs to material/add_material.
 * Uploads go through the same dedupe cache as publishing (keyed by account, endpoint, the source's sha256 and
 * the processing settings), so the same image twice is one upload — on WeCom each uploadimg call spends one of
 * the 1,000 a day. `--force` uploads again and replaces the cached URL.
 */
import { type UploadedImage, uploadBodyImages } from '@md2wx/publish';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import type { Session } from '../session.js';

export type { UploadedImage };

/** @returns ExitCode.ok; bad images throw ContentError (exit 1) before anything is uploaded. */
export async function runUpload(
  session: Session,
  sources: string[],
  options: { force?: boolean } = {},
): Promise<ExitCodeValue> {
  const { reporter } = session;
  const results = await uploadBodyImages(session, sources, {
    ...(options.force ? { force: true } : {}),
    onResult: (src, url) => reporter.result(`${src}\t${url}`),
  });
  const cached = results.filter((r) => r.cached).length;
  reporter.emitJson({ images: results });
  reporter.info(
    `${results.length - cached} uploaded, ${cached} from the cache${cached ? ' (add --force to upload again)' : ''}`,
  );
  return ExitCode.ok;
}
