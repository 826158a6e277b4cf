/**
 * Real images from the corpus through uploadimg and add_material: what WeChat's rules (jpg/png
 * below 1 MB for body images; bmp/png/jpeg/jpg/gif up to 10 MB for image material; real format must
 * match the extension) accept and refuse.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { corpusPath, requireCorpus } from '@md2wx/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxServer, startSandbox } from '../src/index.js';
import { oaToken, upload } from './helpers.js';

const CASES: [file: string, uploadimg: number, addMaterialImage: number][] = [
  ['images/special/progressive-small-nikon.jpeg', 0, 0],
  ['images/photos/canon-sx60_orient6.jpg', 0, 0],
  ['images/photos/mate-dune-1021283-bytes.jpg', 40009, 0],
  ['images/photos/apple-iphone-4s_orient6.jpg', 40009, 0],
  ['images/photos/mate-elephants-5640x3172-progressive.jpg', 40009, 40009],
  ['images/png/pingcap-tall-poster-1080x1960-翼支付.png', 0, 0],
  ['images/png/pingcap-logo-550x534-but-1.2MB.png', 40009, 0],
  ['images/gif/sharp-rotating-squares.gif', 40005, 0],
  ['images/special/bmpsuite-rgb24.bmp', 40005, 0],
  ['images/webp/sharp-5_webp_a-alpha.webp', 40005, 40005],
  ['images/heif-avif/iphone-13-pro-max_orient6.HEIC', 40005, 40005],
  ['images/svg/pingcap-chart.svg', 40005, 40005],
  ['images/wrong-extension/real-time-apps-15_is-jpeg.png', 40005, 40005],
  ['images/broken-and-tiny/image-size-invalid-29-bytes.png', 40005, 40005],
  ['images/broken-and-tiny/empty-0-bytes.png', 44001, 44001],
];

describe.skipIf(!requireCorpus())('corpus images against the upload rules', () => {
  let sb: SandboxServer;
  let token: string;
  beforeAll(async () => {
    sb = await startSandbox();
    token = await oaToken(sb.url);
  });
  afterAll(async () => {
    await sb.close();
  });

  it.each(CASES)('%s → uploadimg %i, add_material image %i', async (file, uploadimg, material) => {
    const data = readFileSync(corpusPath(file));
    const name = basename(file);
    const a = await upload(`${sb.url}/cgi-bin/media/uploadimg?access_token=${token}`, {
      data,
      filename: name,
    });
    expect(a.body.errcode).toBe(uploadimg);
    const b = await upload(`${sb.url}/cgi-bin/material/add_material?access_token=${token}&type=image`, {
      data,
      filename: name,
    });
    expect(b.body.errcode ?? 0).toBe(material);
    if (material === 0) {
      const served = await fetch(String(b.body.url));
      expect(Buffer.from(await served.arrayBuffer()).equals(data)).toBe(true);
    }
  });
});
