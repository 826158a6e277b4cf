/**
 * Callouts: GitHub alerts (`> [!NOTE]` … `> [!CAUTION]`), Obsidian callouts (`> [!tip]- Title`, any type,
 * fold marker `+`/`-` accepted) and VitePress/markdown-it containers (`::: tip|info|warning|danger|details
 * [Title]` … `:::`) become one `section.callout` with a `p.callout-title` (icon character + title) above
 * the content. Themes colour them through `.callout-<kind>` rules and `--callout-<kind>` variables; the
 * classes only serve theme matching and are removed after inlining (WeChat keeps no classes).
 *
 * WeChat keeps no `details`/`summary` (rule 2 `allowed-tags`, docs/wechat-html-rules.md), so foldable
 * callouts and `::: details` are drawn open.
 */
import type { BlockContent, Blockquote, Paragraph, PhrasingContent, Root, RootContent, Text } from 'mdast';
import { directiveFromMarkdown } from 'mdast-util-directive';
import type { ContainerDirective } from 'mdast-util-directive';
import { directive } from 'micromark-extension-directive';
import type { Construct, Extension } from 'micromark-util-types';
import type { Processor } from 'unified';
import type { VFile } from 'vfile';

/** The five colour schemes; every alert, callout or container type maps onto one. */
export type CalloutKind = 'note' | 'tip' | 'important' | 'warning' | 'caution';

/** Icon characters, one per scheme (text, not images: nothing to upload, survives dark mode). */
export const CALLOUT_ICONS: Record<CalloutKind | 'details' | 'custom', string> = {
  note: 'ℹ️',
  tip: '💡',
  important: '❗',
  warning: '⚠️',
  caution: '⛔',
  details: '▸',
  custom: '',
};

/** Obsidian's and VitePress's type names → colour scheme (unknown Obsidian types read as `note`). */
const KIND_OF: Record<string, CalloutKind> = {
  note: 'note',
  info: 'note',
  abstract: 'note',
  summary: 'note',
  tldr: 'note',
  todo: 'note',
  quote: 'note',
  cite: 'note',
  example: 'note',
  details: 'note',
  tip: 'tip',
  hint: 'tip',
  success: 'tip',
  check: 'tip',
  done: 'tip',
  important: 'important',
  question: 'important',
  help: 'important',
  faq: 'important',
  warning: 'warning',
  caution: 'caution',
  attention: 'warning',
  danger: 'caution',
  error: 'caution',
  failure: 'caution',
  fail: 'caution',
  missing: 'caution',
  bug: 'caution',
};

/** Container names read as callouts (VitePress's set, plus GitHub's names); other `:::x` stay text. */
const CONTAINER_NAMES = new Set([
  'tip',
  'info',
  'note',
  'warning',
  'danger',
  'details',
  'important',
  'caution',
]);

const ALERT_MARKER = /^\[!([A-Za-z][\w-]*)\]([+-]?)(?:[ \t]+([^\n]*))?(?:\n|$)/;

function titleCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1).toLowerCase();
}

/**
 * Only the container form of micromark-extension-directive: its text (`:name`) and leaf (`::name`)
 * directives would turn `10:30`, `a:b` or `std::vector` in prose into directives.
 */
function containerOnly(): Extension {
  // The package names its constructs nowhere; its flow list is [container, leaf] (syntax.js).
  const flow = directive().flow?.[58];
  const container = (Array.isArray(flow) ? flow[0] : flow) as Construct;
  return { flow: { 58: [container] } };
}

/** Directive name that {@link normaliseContainerFences} gives a container of any other name. */
const CUSTOM = 'md2wx-custom';

/**
 * markdown-it/VitePress write `::: tip Title` (space, title as the rest of the line); the directive
 * syntax wants `:::tip[Title]`. Opening lines are rewritten to that form before parsing, outside fenced
 * code and only when a closing `:::` line follows (an unclosed container would swallow the rest of the
 * post). A name outside the known set (`::: theorem 勾股定理`, `::: 推论`, as doocs/md allows) becomes a
 * plain box titled with the name and the title. The line count does not change, so positions keep
 * their lines.
 */
export function normaliseContainerFences(markdown: string): string {
  if (!markdown.includes(':::')) return markdown;
  const lines = markdown.split('\n');
  const fenced: boolean[] = [];
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const f = /^[ \t>]*(`{3,}|~{3,})/.exec(lines[i] as string);
    fenced[i] = fence !== undefined || Boolean(f);
    if (!f) continue;
    const marker = f[1] as string;
    if (fence === undefined) fence = marker;
    else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
  }
  const closes = (from: number) => {
    for (let j = from; j < lines.length; j++)
      if (!fenced[j] && /^[ \t>]*:{3,}[ \t]*$/.test(lines[j] as string)) return true;
    return false;
  };
  for (let i = 0; i < lines.length; i++) {
    if (fenced[i]) continue;
    const m = /^([ \t>]*)(:{3,})[ \t]*([^\s:[\]{}][^\s[\]{}]*)(?:[ \t]+(.*?))?[ \t]*$/u.exec(
      lines[i] as string,
    );
    if (!m || !closes(i + 1)) continue;
    const name = m[3] as string;
    const known = CONTAINER_NAMES.has(name.toLowerCase());
    const titleText = known
      ? m[4]
      : `${/^[a-z]/i.test(name) ? titleCase(name) : name}${m[4] ? ` ${m[4]}` : ''}`;
    const title = titleText ? `[${titleText.replace(/[[\]\\]/g, '\\$&')}]` : '';
    lines[i] = `${m[1]}${m[2]}${known ? name.toLowerCase() : CUSTOM}${title}`;
  }
  return lines.join('\n');
}

function titleParagraph(kind: CalloutKind | 'details' | 'custom', title: PhrasingContent[]): Paragraph {
  const icon = {
    type: 'calloutIcon',
    data: {
      hName: 'span',
      hProperties: { className: ['callout-icon'] },
      hChildren: [{ type: 'text', value: CALLOUT_ICONS[kind] }],
    },
  } as unknown as PhrasingContent;
  return {
    type: 'paragraph',
    children: CALLOUT_ICONS[kind] ? [icon, ...title] : title,
    data: { hProperties: { className: ['callout-title'] } },
  };
}

function makeCallout(
  node: Blockquote | ContainerDirective,
  kind: CalloutKind,
  icon: CalloutKind | 'details' | 'custom',
  title: PhrasingContent[],
  body: RootContent[],
): void {
  const callout = node as unknown as { type: string; children: RootContent[]; data: Record<string, unknown> };
  callout.type = 'callout';
  callout.children = [titleParagraph(icon, title), ...body];
  callout.data = {
    hName: 'section',
    hProperties: {
      className: [
        'callout',
        `callout-${kind}`,
        ...(icon === 'details' || icon === 'custom' ? [`callout-${icon}`] : []),
      ],
    },
  };
}

/** Splits `> [!TYPE]± Title\nbody…` into its marker and the rest; undefined when it is a plain quote. */
function readAlert(
  quote: Blockquote,
): { name: string; title: PhrasingContent[]; body: RootContent[] } | undefined {
  const first = quote.children[0];
  if (first?.type !== 'paragraph') return undefined;
  const head = first.children[0];
  if (head?.type !== 'text') return undefined;
  const m = ALERT_MARKER.exec(head.value);
  if (!m) return undefined;
  const name = (m[1] as string).toLowerCase();
  const title: PhrasingContent[] = [];
  const rest: PhrasingContent[] = [];
  const afterMarker = head.value.slice(m[0].length);
  const lineEnded = m[0].endsWith('\n');
  if (m[3]) title.push({ type: 'text', value: m[3] });
  // A title with marks (`> [!tip] **Bold** title`) goes on until the first line break of the paragraph.
  let inTitle = !lineEnded && first.children.length > 1;
  if (afterMarker) rest.push({ ...head, value: afterMarker } as Text);
  for (const child of first.children.slice(1)) {
    if (inTitle && child.type === 'text' && child.value.includes('\n')) {
      const cut = child.value.indexOf('\n');
      if (cut > 0) title.push({ type: 'text', value: child.value.slice(0, cut) });
      const tail = child.value.slice(cut + 1);
      if (tail) rest.push({ ...child, value: tail });
      inTitle = false;
    } else if (inTitle && child.type !== 'break') {
      title.push(child);
    } else {
      if (child.type === 'break' && inTitle) {
        inTitle = false;
        continue;
      }
      rest.push(child);
    }
  }
  const body: RootContent[] = [];
  if (rest.length) body.push({ ...first, children: rest });
  body.push(...quote.children.slice(1));
  return { name, title, body };
}

function transform(tree: Root): void {
  const visit = (parent: { children: RootContent[] }) => {
    for (const node of parent.children) {
      if ('children' in node) visit(node as { children: RootContent[] });
      if (node.type === 'blockquote') {
        const alert = readAlert(node);
        if (!alert) continue;
        const kind = KIND_OF[alert.name] ?? 'note';
        const title = alert.title.length
          ? alert.title
          : [{ type: 'text' as const, value: titleCase(alert.name) }];
        makeCallout(node, kind, kind, title, alert.body);
      } else if (node.type === 'containerDirective') {
        const name = node.name.toLowerCase();
        const custom = name === CUSTOM;
        if (!custom && !CONTAINER_NAMES.has(name)) continue;
        const [label, ...body] = node.children;
        const labelled =
          label?.type === 'paragraph' && (label.data as { directiveLabel?: boolean })?.directiveLabel;
        const title: PhrasingContent[] = labelled
          ? label.children
          : [{ type: 'text', value: titleCase(name) }];
        const kind = KIND_OF[name] ?? 'note';
        makeCallout(
          node,
          kind,
          custom ? 'custom' : name === 'details' ? 'details' : kind,
          title,
          (labelled ? body : node.children) as BlockContent[],
        );
      }
    }
  };
  visit(tree);
}

/**
 * Remark plugin: parses `:::` containers and turns alerts, Obsidian callouts and known containers into
 * callout sections (see the module comment). Containers of other names are kept as their text.
 * No options.
 */
export function remarkCallouts(this: Processor) {
  const data = this.data();
  if (!data.micromarkExtensions) data.micromarkExtensions = [];
  if (!data.fromMarkdownExtensions) data.fromMarkdownExtensions = [];
  data.micromarkExtensions.push(containerOnly());
  data.fromMarkdownExtensions.push(directiveFromMarkdown());
  return (tree: Root, file: VFile) => {
    transform(tree);
    keepUnknownContainersAsText(tree, file);
  };
}

/** An unknown `:::name` container keeps what was written: its source lines become a paragraph. */
function keepUnknownContainersAsText(tree: Root, file: VFile): void {
  const source = String(file.value);
  const visit = (parent: { children: RootContent[] }) => {
    parent.children.forEach((node, i) => {
      if (node.type === 'containerDirective') {
        const start = node.position?.start.offset;
        const end = node.position?.end.offset;
        const value = start !== undefined && end !== undefined ? source.slice(start, end) : `:::${node.name}`;
        parent.children[i] = {
          type: 'paragraph',
          children: [{ type: 'text', value }],
          position: node.position,
        };
      } else if ('children' in node) visit(node as { children: RootContent[] });
    });
  };
  visit(tree);
}
