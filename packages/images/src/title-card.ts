/**
 * A generated cover: the title set in large type on a solid background, 2.35:1 (the ratio of WeChat's article
 * cover, https://developers.weixin.qq.com/doc/subscription/api/draftbox/draftmanage/api_draft_add.html
 * `pic_crop_235_1`), drawn from SVG by sharp (librsvg), which takes the glyphs from the system's fonts — CJK
 * needs a CJK font such as Debian's `fonts-noto-cjk`.
 */
import sharp from 'sharp';

/** Options of {@link titleCard}. */
export interface TitleCardOptions {
  /** The text of the card (the article title). */
  title: string;
  /** A smaller second line under the title (the author, the blog's name), optional. */
  subtitle?: string;
  /** Background colour, any CSS colour librsvg reads (`#07c160`). Default `#07c160`. */
  background?: string;
  /** Text colour. Default `#ffffff`. */
  color?: string;
  /** Width in pixels; the height is width ÷ 2.35. Default 900. */
  width?: number;
  /** Font families, CSS syntax. Default: Noto Sans CJK SC, then the usual CJK and sans-serif fallbacks. */
  fontFamily?: string;
}

const DEFAULT_FONTS =
  "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

/** Width of a character in em, roughly: CJK and other wide characters 1, Latin 0.58, spaces 0.3. */
function emWidth(ch: string): number {
  if (/\s/.test(ch)) return 0.3;
  if (
    /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
  )
    return 1;
  if (/\p{Extended_Pictographic}/u.test(ch)) return 1.1;
  return /[A-Z]/.test(ch) ? 0.68 : 0.56;
}

/** Greedy line breaking at word boundaries (Intl.Segmenter, which splits CJK text into words too). */
function wrap(text: string, maxEm: number): string[] {
  const lines: string[] = [];
  let line = '';
  let width = 0;
  for (const { segment } of new Intl.Segmenter('zh', { granularity: 'word' }).segment(text)) {
    const w = Array.from(segment).reduce((n, ch) => n + emWidth(ch), 0);
    if (line && width + w > maxEm && segment.trim()) {
      lines.push(line.trimEnd());
      line = segment.trimStart();
      width = Array.from(line).reduce((n, ch) => n + emWidth(ch), 0);
    } else {
      line += segment;
      width += w;
    }
  }
  if (line.trim()) lines.push(line.trim());
  return lines;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Draws a title card as PNG.
 * @returns `{ data, width, height }`: PNG bytes and its size in pixels (height = round(width ÷ 2.35)).
 * @example const { data } = await titleCard({ title: '你好，世界', background: '#07c160' });
 */
export async function titleCard(
  options: TitleCardOptions,
): Promise<{ data: Buffer; width: number; height: number }> {
  const width = options.width ?? 900;
  const height = Math.round(width / 2.35);
  const padding = Math.round(width * 0.07);
  const usable = width - 2 * padding;
  // The largest size (within reason) at which the title fits in three lines.
  let size = Math.round(height * 0.2);
  let lines = wrap(options.title, usable / size);
  while ((lines.length > 3 || lines.some((l) => l.length === 0)) && size > 20) {
    size -= 2;
    lines = wrap(options.title, usable / size);
  }
  if (lines.length > 3) lines = [...lines.slice(0, 2), `${lines.slice(2).join('')}`];
  const sub = options.subtitle ? Math.round(size * 0.45) : 0;
  const lineHeight = Math.round(size * 1.3);
  const block = lines.length * lineHeight + (sub ? sub * 2 : 0);
  const top = Math.round((height - block) / 2 + size);
  const fonts = escapeXml(options.fontFamily ?? DEFAULT_FONTS);
  const color = escapeXml(options.color ?? '#ffffff');
  const text = lines
    .map(
      (l, i) =>
        `<text x="${padding}" y="${top + i * lineHeight}" font-size="${size}" font-weight="bold">${escapeXml(l)}</text>`,
    )
    .join('');
  const subtitle = options.subtitle
    ? `<text x="${padding}" y="${top + (lines.length - 1) * lineHeight + sub * 2.2}" font-size="${sub}" opacity="0.85">${escapeXml(options.subtitle)}</text>`
    : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="100%" height="100%" fill="${escapeXml(options.background ?? '#07c160')}"/><g fill="${color}" font-family="${fonts}">${text}${subtitle}</g></svg>`;
  const data = await sharp(Buffer.from(svg)).png().toBuffer();
  return { data, width, height };
}
