/** The materials, drafts and media commands. */
import { type Command, Option } from 'commander';
import { GROUPS } from '../help-text.js';
import { intOption, pageCountOption } from '../option-values.js';
import { withSession } from '../with-session.js';

/** Adds the materials, drafts and media commands to `program`. */
export function addAssetCommands(program: Command): void {
  const materials = program
    .command('materials')
    .helpGroup(GROUPS.media)
    .description('permanent materials (素材): add, list, count, get, delete');
  materials
    .command('add')
    .description('add a permanent material (material/add_material) and print its media_id (and URL)')
    .argument('<file>')
    .addOption(
      new Option('-t, --type <type>', 'material type')
        .choices(['image', 'voice', 'video', 'thumb'])
        .default('image'),
    )
    .option('--title <title>', 'video: its title (required for video)')
    .option('--introduction <text>', 'video: its description')
    .action(async (file: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runAddMaterial } = await import('./materials.js');
        return runAddMaterial(session, file, command.optsWithGlobals());
      });
    });
  materials
    .command('list')
    .description('list permanent materials (material/batchget_material)')
    .addOption(
      new Option('-t, --type <type>', 'material type')
        .choices(['image', 'voice', 'video', 'news'])
        .default('image'),
    )
    .option('--offset <n>', 'offset', intOption, 0)
    .option('--count <n>', 'how many (1-20)', pageCountOption, 20)
    .action(async (_options, command: Command) => {
      await withSession(command, async (session) => {
        const { runMaterials } = await import('./materials.js');
        return runMaterials(session, 'list', undefined, command.optsWithGlobals());
      });
    });
  materials
    .command('count')
    .description('count permanent materials by type (material/get_materialcount)')
    .action(async (_options, command: Command) => {
      await withSession(command, async (session) => {
        const { runMaterials } = await import('./materials.js');
        return runMaterials(session, 'count', undefined, command.optsWithGlobals());
      });
    });
  materials
    .command('get')
    .description('get a permanent material (material/get_material)')
    .argument('<media_id>')
    .option('-o, --output <file>', 'write binary material here')
    .action(async (mediaId: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runMaterials } = await import('./materials.js');
        return runMaterials(session, 'get', mediaId, command.optsWithGlobals());
      });
    });
  materials
    .command('delete')
    .description('delete a permanent material (material/del_material; irreversible)')
    .argument('<media_id>')
    .action(async (mediaId: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runMaterials } = await import('./materials.js');
        return runMaterials(session, 'delete', mediaId, command.optsWithGlobals());
      });
    });

  const drafts = program
    .command('drafts')
    .helpGroup(GROUPS.publishing)
    .description('the draft box: list, get, delete');
  drafts
    .command('list')
    .description('list drafts (draft/batchget)')
    .option('--offset <n>', 'offset', intOption, 0)
    .option('--count <n>', 'how many (1-20)', pageCountOption, 20)
    .action(async (_options, command: Command) => {
      await withSession(command, async (session) => {
        const { runDrafts } = await import('./drafts.js');
        return runDrafts(session, 'list', undefined, command.optsWithGlobals());
      });
    });
  drafts
    .command('get')
    .description('show a draft (draft/get)')
    .argument('<media_id>')
    .action(async (mediaId: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runDrafts } = await import('./drafts.js');
        return runDrafts(session, 'get', mediaId, command.optsWithGlobals());
      });
    });
  drafts
    .command('delete')
    .description('delete a draft (draft/delete; irreversible) and forget it in the state file')
    .argument('<media_id>')
    .action(async (mediaId: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runDrafts } = await import('./drafts.js');
        return runDrafts(session, 'delete', mediaId, command.optsWithGlobals());
      });
    });

  const media = program
    .command('media')
    .helpGroup(GROUPS.media)
    .description('temporary media (3 days): upload, get; WeCom: upload-by-url');
  media
    .command('upload')
    .description('upload temporary media (media/upload) and print its media_id')
    .argument('<file>')
    .addOption(
      new Option('-t, --type <type>', 'media type')
        .choices(['image', 'voice', 'video', 'thumb', 'file'])
        .default('image'),
    )
    .option(
      '--compress',
      'image/thumb: re-encode as JPEG to fit (image ≤ 1 MB, thumb ≤ 64 KB) before sending',
    )
    .action(async (file: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runMedia } = await import('./media.js');
        return runMedia(session, 'upload', file, command.optsWithGlobals());
      });
    });
  media
    .command('get')
    .description('download temporary media (media/get; WeCom in Range chunks)')
    .argument('<media_id>')
    .requiredOption('-o, --output <file>', 'where to write it')
    .option('--hd-voice', 'the HD (speex 16 kHz) voice of a JS-SDK uploadVoice serverId (media/get/jssdk)')
    .action(async (mediaId: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runMedia } = await import('./media.js');
        return runMedia(session, 'get', mediaId, command.optsWithGlobals());
      });
    });

  media
    .command('upload-by-url')
    .description(
      'WeCom: let WeCom download a video/file from a URL with Range support (media/upload_by_url, up to 200 MB); --wait polls for the media_id',
    )
    .argument('<url>')
    .addOption(new Option('-t, --type <type>', 'media type').choices(['video', 'file']).default('file'))
    .option('--filename <name>', 'display name (default: the URL’s last path segment)')
    .option('--md5 <hex>', 'MD5 of the file (default: downloaded once here to compute it)')
    .option('--wait', 'poll get_upload_by_url_result until the job ends; print the media_id')
    .option('--timeout <seconds>', 'how long --wait polls', intOption, 600)
    .action(async (url: string, _options, command: Command) => {
      await withSession(command, async (session) => {
        const { runUploadByUrl } = await import('./media.js');
        return runUploadByUrl(session, url, command.optsWithGlobals());
      });
    });
}
