import { minimalTheme } from './minimal.js';
import { techTheme } from './tech.js';
import { wechatTheme } from './wechat.js';

/** Built-in themes by name, as ordinary CSS text. */
export const themes: Readonly<Record<string, string>> = Object.freeze({
  wechat: wechatTheme,
  tech: techTheme,
  minimal: minimalTheme,
});

/** Name of the theme used when none is given. */
export const DEFAULT_THEME = 'wechat';
