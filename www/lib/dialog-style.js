/**
 * @file The dialog's styles. The stylesheet lives in the shadow root, so the
 * page's CSS cannot reach in; `:host { all: initial }` also stops inherited
 * page styles (fonts, colours, line heights) at the boundary.
 *
 * The host itself is the one element page CSS can select, and a page rule
 * such as `[data-bcc-guard] { display: none !important }` outranks a normal
 * `:host` rule. The host's own inline style, when `!important`, outranks it:
 * so the host carries `HOST_STYLE`, which resets every property the page
 * could set on it and covers the viewport (the host is a popover in the top
 * layer, dialog.js), and the dialog's watch puts it back if a page script
 * changes it. `all` leaves out `direction` and `unicode-bidi`, which the
 * page could otherwise make right-to-left (the buttons change places).
 *
 * Inline styles do not reach the host's pseudo-elements, which page CSS may
 * give content, place anywhere and draw above the dialog (a second "Move to
 * BCC and send" over *Send anyway*, clicks passing through it). The shadow
 * tree's `!important` rules are what outranks the page there: between
 * important declarations the inner tree wins, whatever the selector and
 * even over an inline style (CSS Cascade, "context"; tried in Chromium 156
 * and Firefox ESR 153). So DIALOG_CSS removes the host's `::before` and
 * `::after`, and gives selected text its own look: Chromium paints the
 * dialog's selected text in the host's selection style, which the page sets
 * (a `text-shadow` can draw one label over another).
 *
 * Fonts are generic families only: a named family ("Segoe UI", "Hiragino
 * Sans") is looked up in the page's `@font-face` rules first, so a page
 * could draw the dialog's words with glyphs of its own choosing.
 */

/** The host's inline style (see above); compared as text by the watch. */
export const HOST_STYLE = [
  "all: initial",
  "display: block",
  "position: fixed",
  "inset: 0px",
  "z-index: 2147483647",
  "zoom: 1",
  "direction: ltr",
  "unicode-bidi: isolate",
].map((declaration) => `${declaration} !important`).join("; ");

export const DIALOG_CSS = `
:host { all: initial; }
:host::before, :host::after { content: none !important; display: none !important; }
::selection {
  color: HighlightText !important; background-color: Highlight !important;
  text-shadow: none !important; text-decoration: none !important;
  -webkit-text-fill-color: HighlightText !important; -webkit-text-stroke-width: 0 !important;
}
.backdrop {
  position: fixed; inset: 0; z-index: 2147483646;
  background: rgba(32, 33, 36, 0.45);
}
.dialog {
  position: fixed; z-index: 2147483647;
  top: 50%; left: 50%; transform: translate(-50%, -50%);
  box-sizing: border-box; width: min(560px, calc(100vw - 32px)); max-height: calc(100vh - 48px);
  display: flex; flex-direction: column;
  background: #fff; color: #202124; border-radius: 12px;
  box-shadow: 0 12px 40px rgba(0, 0, 0, 0.35);
  font: 14px/1.45 system-ui, sans-serif;
  border-top: 6px solid #e37400;
}
.dialog.block { border-top-color: #d93025; }
h2 { margin: 0; padding: 18px 22px 6px; font-size: 18px; font-weight: 600; }
.body { padding: 4px 22px 8px; overflow: auto; }
p { margin: 8px 0; }
.reason:first-child { font-weight: 500; }
.detail { color: #5f6368; font-size: 12px; word-break: break-all; }
.warning { color: #b3261e; }
.groups { margin: 8px 0; border: 1px solid #dadce0; border-radius: 8px; max-height: 38vh; overflow: auto; }
/* A group scrolled out of view is not laid out: a dialog about 1,000 recipients
   then opens as fast as one about ten, and its list still holds every one. */
.group { content-visibility: auto; contain-intrinsic-size: auto 5em; }
.group h3 { margin: 0; padding: 8px 12px; font-size: 13px; font-weight: 600; background: #f1f3f4; position: sticky; top: 0; }
ul { margin: 0; padding: 4px 12px 8px 28px; }
li { margin: 2px 0; overflow-wrap: anywhere; }
.name { margin-inline-end: 6px; }
.name + .address::before { content: "<"; }
.name + .address::after { content: ">"; }
.address { color: #3c4043; }
.unreadable .raw { font-family: monospace; color: #b3261e; }
.deceptive { margin-inline-start: 6px; color: #b3261e; font-size: 12px; }
.staying { color: #5f6368; }
.plan h3 { margin: 12px 0 4px; font-size: 13px; font-weight: 600; }
dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; }
.row { display: contents; }
dt { font-weight: 600; color: #5f6368; }
dd { margin: 0; overflow-wrap: anywhere; }
.fixes li { color: #b3261e; }
.actions {
  display: flex; flex-wrap: wrap; justify-content: flex-end; gap: 8px;
  padding: 12px 22px 18px; border-top: 1px solid #e8eaed;
}
button {
  font: inherit; font-weight: 500; cursor: pointer;
  padding: 8px 16px; border-radius: 18px; border: 1px solid #dadce0;
  background: #fff; color: #1a73e8;
}
button.primary { background: #1a73e8; border-color: #1a73e8; color: #fff; }
button.link { margin-inline-end: auto; border: none; padding: 8px 4px; color: #5f6368; font-weight: 400; text-decoration: underline; }
button:focus-visible { outline: 3px solid #174ea6; outline-offset: 2px; }
.busy { color: #5f6368; margin: 4px 0; }
`;
