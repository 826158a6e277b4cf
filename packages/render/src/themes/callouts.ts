/**
 * Callouts (GitHub alerts, Obsidian callouts, `:::` containers) for every built-in theme: a coloured left
 * border and title per kind. A theme or a user stylesheet recolours a kind by setting its variable in
 * `:root` (`--callout-note`, `--callout-tip`, `--callout-important`, `--callout-warning`,
 * `--callout-caution`, and the matching `-bg` background), or by styling `.callout-<kind>` directly.
 * GitHub's alert colours are the defaults.
 */
export const calloutSheet = `
.callout { margin: 0 0 1.2em; padding: 0.6em 1em; border-left: 4px solid var(--callout-note, #0969da); border-radius: 0 4px 4px 0; background-color: var(--callout-note-bg, #f0f6ff); }
.callout p { margin: 0 0 0.5em; }
.callout p:last-child { margin-bottom: 0; }
.callout .callout-title { margin: 0 0 0.4em; font-weight: bold; color: var(--callout-note, #0969da); }
.callout-icon { margin-right: 0.4em; }
.callout-tip { border-left-color: var(--callout-tip, #1a7f37); background-color: var(--callout-tip-bg, #effaf2); }
.callout-tip .callout-title { color: var(--callout-tip, #1a7f37); }
.callout-important { border-left-color: var(--callout-important, #8250df); background-color: var(--callout-important-bg, #f6f1ff); }
.callout-important .callout-title { color: var(--callout-important, #8250df); }
.callout-warning { border-left-color: var(--callout-warning, #9a6700); background-color: var(--callout-warning-bg, #fff8e6); }
.callout-warning .callout-title { color: var(--callout-warning, #9a6700); }
.callout-caution { border-left-color: var(--callout-caution, #d1242f); background-color: var(--callout-caution-bg, #fff0f0); }
.callout-caution .callout-title { color: var(--callout-caution, #d1242f); }
.callout-details { border-left-color: var(--callout-details, #8c959f); background-color: var(--callout-details-bg, #f6f8fa); }
.callout-details .callout-title { color: var(--callout-details, #59636e); }
.callout-custom { border-left-color: var(--callout-custom, #8c959f); background-color: var(--callout-custom-bg, #f6f8fa); }
.callout-custom .callout-title { color: var(--callout-custom, #424a53); }
`;
