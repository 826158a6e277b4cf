/**
 * Mermaid diagrams drawn by mermaid (from node_modules, no network) in one headless Chromium page per
 * renderer, as PNG or as WeChat-safe SVG, kept in a persistent cache keyed by source + theme + format +
 * mermaid version, so an unchanged diagram is drawn once and a later run does not start the browser.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { BrowserNotFoundError, findChromium, type LaunchedBrowser, launchChromium } from './chromium.js';
import { sanitiseSvgInPage } from './svg.js';

const require = createRequire(import.meta.url);

/** The mermaid version drawing the diagrams (part of every cache key). */
export const MERMAID_VERSION: string = (
  JSON.parse(readFileSync(require.resolve('mermaid/package.json'), 'utf8')) as { version: string }
).version;

/** Mermaid's built-in themes. */
export type MermaidTheme = 'default' | 'neutral' | 'dark' | 'forest' | 'base';

/** Options of {@link DiagramRenderer}. */
export interface DiagramRendererOptions {
  /** Directory of the persistent cache (created on first write). Without it, results are kept in memory only. */
  cacheDir?: string;
  /** Mermaid theme. Default `default`. */
  theme?: MermaidTheme;
  /** `png` (default): a raster at `scale`× for the image pipeline; `svg`: WeChat-safe inline SVG. */
  format?: 'png' | 'svg';
  /** Device pixel ratio of PNGs. Default 2. */
  scale?: number;
  /**
   * Widest SVG, in CSS pixels (rule 22 `svg-size` of docs/wechat-html-rules.md caps it at 677). Default 677.
   */
  maxWidth?: number;
  /** Chromium executable; default {@link findChromium}. */
  executablePath?: string;
}

/** One drawn diagram. */
export interface Diagram {
  format: 'png' | 'svg';
  /** PNG bytes, or the SVG markup as UTF-8. */
  data: Buffer;
  /** Display size in CSS pixels (the PNG itself is `scale` times larger). */
  width: number;
  height: number;
  /** True when it came from the cache (memory or disk) rather than the browser. */
  cached: boolean;
}

/** Thrown for a diagram mermaid cannot parse; `message` is mermaid's own. */
export class DiagramSyntaxError extends Error {
  override name = 'DiagramSyntaxError';
}

interface Drawn {
  width: number;
  height: number;
  svg?: string;
}

/**
 * Draws mermaid diagrams. The browser starts on the first diagram that is not in the cache and is
 * shared by every later one (one browser per renderer, one page, mermaid loaded once); call
 * `close()` at the end of the run.
 *
 * @example
 * const diagrams = new DiagramRenderer({ cacheDir: '.md2wx-cache/diagrams' });
 * const { data, width } = await diagrams.mermaid('graph LR; A-->B');
 * await diagrams.close();
 */
export class DiagramRenderer {
  /** How many times a browser was started (0 when every diagram came from the cache). */
  launches = 0;
  /** Diagrams drawn by the browser. */
  drawn = 0;
  readonly theme: MermaidTheme;
  readonly format: 'png' | 'svg';
  private readonly scale: number;
  private readonly maxWidth: number;
  private readonly memory = new Map<string, Diagram>();
  private browser: Promise<{ launched: LaunchedBrowser; page: Page }> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private counter = 0;

  constructor(private readonly options: DiagramRendererOptions = {}) {
    this.theme = options.theme ?? 'default';
    this.format = options.format ?? 'png';
    this.scale = options.scale ?? 2;
    this.maxWidth = options.maxWidth ?? 677;
  }

  /** Cache key of a diagram: sha256 over mermaid version, theme, format, scale, width cap and source. */
  key(source: string): string {
    return createHash('sha256')
      .update(
        JSON.stringify([MERMAID_VERSION, this.theme, this.format, this.scale, this.maxWidth, source.trim()]),
      )
      .digest('hex');
  }

  /**
   * Draws one mermaid diagram (or returns it from the cache).
   * @throws {BrowserNotFoundError} when it is not cached and no Chromium is found.
   * @throws {DiagramSyntaxError} when mermaid rejects the source.
   */
  async mermaid(source: string): Promise<Diagram> {
    const key = this.key(source);
    const hit = this.memory.get(key) ?? (await this.fromDisk(key));
    if (hit) {
      this.memory.set(key, hit);
      return { ...hit, cached: true };
    }
    // One diagram at a time through the one page.
    const run = this.queue.then(() => this.draw(source));
    this.queue = run.catch(() => {});
    const diagram = await run;
    this.memory.set(key, diagram);
    await this.toDisk(key, diagram);
    return diagram;
  }

  /** Closes the browser, if one was started. Idempotent. */
  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = undefined;
    if (browser) await (await browser.catch(() => undefined))?.launched.close();
  }

  private file(key: string): string | undefined {
    return this.options.cacheDir
      ? path.join(this.options.cacheDir, `mermaid-${key}.${this.format}`)
      : undefined;
  }

  private async fromDisk(key: string): Promise<Diagram | undefined> {
    const file = this.file(key);
    if (!file) return undefined;
    try {
      const [data, meta] = await Promise.all([readFile(file), readFile(`${file}.json`, 'utf8')]);
      const { width, height } = JSON.parse(meta) as { width: number; height: number };
      return { format: this.format, data, width, height, cached: true };
    } catch {
      return undefined;
    }
  }

  private async toDisk(key: string, diagram: Diagram): Promise<void> {
    const file = this.file(key);
    if (!file) return;
    await mkdir(path.dirname(file), { recursive: true });
    // Atomic: a reader sees the old file or the whole new one. The size is written last, and read
    // first, so a diagram without its size file counts as absent.
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, diagram.data);
    await rename(tmp, file);
    await writeFile(`${tmp}.json`, JSON.stringify({ width: diagram.width, height: diagram.height }));
    await rename(`${tmp}.json`, `${file}.json`);
  }

  private page(): Promise<{ launched: LaunchedBrowser; page: Page }> {
    if (!this.browser) {
      this.browser = (async () => {
        const executable = this.options.executablePath ?? findChromium();
        if (!executable) throw new BrowserNotFoundError('none on the PATH and MD2WX_CHROMIUM is not set');
        this.launches++;
        const launched = await launchChromium(executable, this.scale);
        try {
          const page = await launched.context.newPage();
          await page.setContent(
            '<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>',
          );
          await page.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') });
          // The SVG sanitiser runs where the styles are computed. `__name` is the helper esbuild (tsx)
          // wraps named functions in; the page has none.
          await page.addScriptTag({
            content: `var __name = (f) => f; window.md2wxSanitise = ${sanitiseSvgInPage.toString()};`,
          });
          await page.evaluate(
            ({ theme, svg }) => {
              const m = (globalThis as unknown as { mermaid: { initialize(c: object): void } }).mermaid;
              // Text labels, not HTML in foreignObject: WeChat drops foreignObject (rule 20), and
              // the PNG then matches the SVG.
              m.initialize({
                startOnLoad: false,
                securityLevel: 'strict',
                theme,
                htmlLabels: !svg,
                flowchart: { htmlLabels: !svg },
                fontFamily: '"trebuchet ms", verdana, arial, "Noto Sans CJK SC", "PingFang SC", sans-serif',
              });
            },
            { theme: this.theme, svg: this.format === 'svg' },
          );
          return { launched, page };
        } catch (error) {
          await launched.close();
          throw error;
        }
      })();
      // A failed start is not cached: the next diagram reports the same error rather than hanging.
      this.browser.catch(() => {
        this.browser = undefined;
      });
    }
    return this.browser;
  }

  private async draw(source: string): Promise<Diagram> {
    const { page } = await this.page();
    const id = `md2wx-mermaid-${++this.counter}`;
    const result = (await page.evaluate(
      async ({ id, source, format, maxWidth }) => {
        const m = (
          globalThis as unknown as {
            mermaid: { render(id: string, text: string): Promise<{ svg: string }> };
          }
        ).mermaid;
        document.body.innerHTML = '';
        let svgText: string;
        try {
          svgText = (await m.render(id, source)).svg;
        } catch (error) {
          document.getElementById(`d${id}`)?.remove();
          return { error: String((error as Error)?.message ?? error) };
        }
        const box = document.createElement('section');
        box.id = 'md2wx-box';
        box.style.cssText = 'display:inline-block;background:#ffffff;padding:8px';
        box.innerHTML = svgText;
        document.body.appendChild(box);
        const svg = box.querySelector('svg') as SVGSVGElement;
        const view = svg.viewBox.baseVal;
        const natural = view?.width ? view.width : svg.getBoundingClientRect().width;
        const width = format === 'svg' ? Math.min(natural, maxWidth) : natural;
        const height = view?.width ? (view.height * width) / view.width : svg.getBoundingClientRect().height;
        svg.removeAttribute('style');
        svg.setAttribute('width', String(Math.round(width)));
        svg.setAttribute('height', String(Math.round(height)));
        if (format === 'svg') {
          const clean = (globalThis as unknown as { md2wxSanitise: (svg: SVGSVGElement) => string })
            .md2wxSanitise;
          return { width: Math.round(width), height: Math.round(height), svg: clean(svg) };
        }
        return { width: Math.round(width), height: Math.round(height) };
      },
      { id, source, format: this.format, maxWidth: this.maxWidth },
    )) as Drawn & { error?: string };
    if (result.error) throw new DiagramSyntaxError(result.error);
    this.drawn++;
    if (this.format === 'svg') {
      return {
        format: 'svg',
        data: Buffer.from(result.svg ?? '', 'utf8'),
        width: result.width,
        height: result.height,
        cached: false,
      };
    }
    const png = await page.locator('#md2wx-box').screenshot({ type: 'png', animations: 'disabled' });
    return {
      format: 'png',
      data: png,
      width: result.width + 16,
      height: Math.round(result.height) + 16,
      cached: false,
    };
  }
}
