/**
 * @file Serves the Outlook on the web (OWA) compose fixture at the real OWA URLs.
 *
 * The page is `tests/fixtures/outlook/compose.html` with
 * `tests/fixtures/outlook/behaviour.js` inlined into its one nonce'd
 * `<script>`, answered with a strict CSP (nonce scripts only, Trusted Types
 * required) and a fresh nonce per response. The DOM is reconstructed from
 * Briskine's OWA plugin, roosterjs' entity classes and the scripts summarised
 * in /work/shared/research/webmail-dom.md §3 and §8.3; it is not a capture of
 * a live page. Served on outlook.office.com, outlook.office365.com,
 * outlook.live.com and outlook.cloud.microsoft (any path).
 *
 * ## DOM (per compose)
 *
 * | what | selector |
 * |---|---|
 * | compose root | `div[data-app-section="MailCompose"]` (docked, inline; inside `[role=main]`#ReadingPaneContainerId), `div[data-app-section="Form_Content"]` (fullpage, popout; no `[role=main]` around it) |
 * | fixture id | `root > input[type=hidden][name=composeId]` = `c1`, `c2`, … |
 * | docking part | `root > div[id^="docking_InitVisiblePart_"]` (every variant), ancestor of everything below |
 * | recipient groups | `div[role=group][id="<prefix>_TO"]`, `_CC`, `_BCC` (`<prefix>` = `MSG_` + 11 random hex digits per compose), each `label` ("To"/"Cc"/"Bcc"; ja "宛先"/"CC"/"BCC") + the well |
 * | well | `div[contenteditable=true][role=textbox][aria-label="To"]` ("Cc", "Bcc"; ja "宛先", "CC", "BCC"), no `aria-multiline`, no `tabindex` |
 * | chip | direct child of the well: `span._Entity._EType_RECIPIENT_ENTITY._EReadonly_1[contenteditable=false][draggable=true][aria-label]`, followed by a text node `"\u200b"` (typing after it extends that node) |
 * | chip content | `span[aria-hidden=true][class^="presence-"]` ("Available"/"連絡可能", drawn as a dot), `span[class*="textContainer-"][class*="individualText-"]` (display name, or the address when there is none), `span[role=button][class*="removeButton-"][aria-label="Remove <display>"][tabindex="-1"]` "×" (ja `"<display> を削除"`; absent with `noremove=1`) |
 * | typed text | text nodes in the well outside chips |
 * | Cc/Bcc toggles | `div.fui-Input > button[type=button][aria-label="Cc"]` "Cc", `…[aria-label="Bcc"]` "Bcc" (ja "CC", "BCC"), in the To row; a click inserts the group after the To row (Bcc after Cc if shown), removes that button and focuses the new well. A pre-filled field's group exists from the start and has no button |
 * | subject | `input[type=text][autocomplete=off][maxlength="255"][aria-label="Add a subject"]` (ja "件名を追加") |
 * | body | `div[id^="editorParent_"] > div[contenteditable=true][role=textbox][aria-multiline=true][aria-label="Message body"]` (ja "メッセージ本文") |
 * | send | `div.splitButton > button[type=button][id="splitButton-<r>__primaryActionButton"][aria-label="Send"][title="Send (Ctrl+Enter)"]` (text "Send" in nested spans; ja "送信", "送信 (Ctrl+Enter)") and `button[id="splitButton-<r>__menuButton"][aria-label="More send options"]` (ja "その他の送信オプション"; opens the send menu, below) |
 * | discard | `button[aria-label="Discard"]` (ja "破棄"): closes the compose without sending |
 * | from | `button[aria-label^="From"]` (`"From: <account>"`; ja `"差出人: <account>"`), text = the account address |
 * | account | `#mectrl_currentAccount_secondary` (address) and `#mectrl_currentAccount_primary` (name) in the hidden flyout of `#O365_MainLink_Me` (top right; a click toggles the flyout); `document.title` "Mail - <name> - Outlook" (ja "メール - <name> - Outlook"). Not inside the pop-out iframe |
 * | inline summary | `div.collapsedHeader-171[tabindex="0"]` (no role), 2nd child of `div.composeHeader-171` (Briskine's `div[tabindex]:nth-child(2):not([role="button"])`), text "To: Dana Li" (ja "宛先: Dana Li") |
 * | send menu | a click on `…__menuButton` sets its `aria-expanded="true"` and appends `body > div[data-portal-node=true] > div.fui-MenuPopover > div.fui-MenuList[role=menu] > div.fui-MenuItem[role=menuitem][tabindex=0]` "Schedule send" (focused); click, Enter or Space on it closes the menu and opens the schedule dialog; Escape closes |
 * | schedule dialog | `body > div[data-portal-node=true] > div.fui-DialogSurface[role=dialog][aria-modal=true][aria-labelledby]` titled "Schedule send" (`h2`), with `button[data-preset="tomorrow-morning"|"tomorrow-afternoon"|"monday-morning"]`, "Custom time" (shows `input[aria-label="Select a date"]`, `input[aria-label="Select a time"]`, "Send", "Cancel") and `button[aria-label=Close]`. A preset or "Send" schedules: a native send with `via` `schedule:<preset>` or `schedule:custom <date> <time>` |
 * | refusal | `body > div.fui-DialogSurface[role=alertdialog][aria-modal=true]` (title "Can't send this message", text "This message can't be sent right now. …", `button` "OK"), plus a backdrop |
 *
 * ## Query parameters understood by the behaviour script
 *
 * | name | values | effect |
 * |---|---|---|
 * | `variant` | `docked` (default) | one `MailCompose` in the reading pane `[role=main]` |
 * | | `fullpage` | `Form_Content` filling the page under the suite header (no folder pane, list or `[role=main]`), like the "open in new window" form |
 * | | `inline` | inline reply under the conversation in the reading pane. COLLAPSED: only the summary line is visible, the From/subject rows and the groups exist but are `hidden`, there are no Cc/Bcc buttons. A bubbling `focusin` on the summary (Briskine dispatches `new FocusEvent("focusin", {bubbles: true})`) expands it without moving focus; a click expands it and focuses the To well. Expanding removes the summary. To defaults to `Dana Li <dana@partner.example>` and the subject to "RE: Q3 planning". Sent → replaced by `div.sentNote-171[role=status]` "Sent" |
 * | | `popout` | the page gets `iframe.popoutFrame-171[src="about:blank"][name=owaPopout]`; after its load the parent's script copies the stylesheet in and builds a `Form_Content` compose in the frame's document (handlers are the parent's, delegated from the frame's `body`). `window.__fixture` lives in the parent (the frame's window gets the same object); `fixtureReady` is set on the parent once the frame is built |
 * | | `two` | two docked composes, `c1` then `c2` (own prefixes, ids and send buttons) |
 * | `lang` | `en` (default), `ja` | translates labels, aria-labels, titles, placeholders and page chrome; ids and classes unchanged |
 * | `account` | default `me@corp.example` | the account flyout, From button, pop-out |
 * | `name` | default `Me` | `document.title`, `#mectrl_currentAccount_primary`, `#O365_MainLink_Me` |
 * | `to`, `cc`, `bcc` | comma-separated `addr` or `Name <addr>` | pre-filled chips (a non-empty `cc`/`bcc` creates that group from the start) |
 * | `to2`, `cc2`, `bcc2`, `typed2`, `subject2` | as above | the second compose of `variant=two` (defaults: the first one's values) |
 * | `chip` | `address` (default) | chip `aria-label` = the bare address; visible text = the display name, or the address |
 * | | `named` | `aria-label="Name <addr>"` (just `addr` when there is no name) |
 * | | `presence` | `aria-label="Available Name"` (ja "連絡可能 Name"); no `title` anywhere: a named chip has NO address in the DOM (an unnamed one shows its address as its text) |
 * | | `title` | `aria-label` = the display name only; the text container has `title="addr"` |
 * | `typed` | text | left unresolved in the To well after the chips |
 * | `noremove` | `1` | chips have no remove control (see "Removing a chip") |
 * | `pagecapture` | `1` | after `load`, the page adds its own `window` capture listener for `click` and `keydown` (also in the pop-out frame's window once built) counting into `__fixture.pageCaptureSeen` |
 * | `n` | integer | appends `user<i>@org<i%97>.example` for i = 0…n-1 to To (performance) |
 * | `alert` | `1` | the first send attempt of each compose shows the refusal alert instead of sending (OK, Escape or Enter dismisses it; attempts while it is up are ignored) |
 * | | `always` | every attempt is refused |
 * | `subject`, `body` | text | pre-filled subject / body (`\n` separates body lines) |
 * | `resolve` | ms | typed text is resolved into chips that long after the trigger instead of synchronously (a directory lookup) |
 * | `delay` | ms | builds the compose(s) that long after load instead of synchronously |
 * | `sendmenu` | `schedule` (default), `sendlater` | the label of the Send menu's item and of the schedule dialog: "Schedule send" or the older "Send later" |
 * | `menuclose` | `1` | the send menu closes when the focus leaves it (as a Fluent menu may; inferred) |
 * | `accesskey` | `1` | Alt+S in a compose sends (`via` "alt-s") through OWA's keydown handler; without it Alt+S does nothing (unverified either way, see docs/send-paths.md) |
 *
 * ## Behaviour
 *
 * - Handlers imitate React 17+: one bubbling listener per event type on `#app`
 *   (the pop-out frame's `body`), dispatching along the target's ancestry;
 *   `focusin`/`focusout`, never `focus`/`blur`. Single-key shortcuts: a bubbling
 *   `keydown` on `document` (also the frame's) counts plain letters outside
 *   editable elements.
 * - Resolving: on `input` when the well's loose text (or the inserted data)
 *   contains `,` or `;` — `document.execCommand("insertText", false, "x@y.example,")`
 *   in the focused well works in Chromium and Firefox —, on Enter `keydown` in
 *   the well (Ctrl/⌘+Enter is left to the send handler), on `focusout`, and on
 *   `paste` (plain text, newlines become ";"): every `x@y.z` / `Name <x@y.z>`
 *   token of the loose text becomes a chip where the text was (display name =
 *   the typed name of a `Name <x@y.z>` token, else the address); the
 *   separators go; unrecognised words stay as typed. A focus that is not a mouse press (`focus()`, Tab) puts the caret at
 *   the end of the well, after the chips and any typed text, unless a caret was
 *   already placed in the well after its start. NB: `insertText` goes in at the
 *   caret, so with typed text "dana" left in the well, inserting
 *   "a@b.example," makes the chip "danaa@b.example" (as OWA would): insert a
 *   separator first. The wells of a collapsed inline reply are hidden and
 *   cannot take focus until it is expanded.
 * - Removing a chip: a `click` on its remove control (`.click()` or
 *   mousedown/mouseup/click). Without one (`noremove=1`, but also with it), by
 *   editing, handled by OWA: (a) `keydown` Backspace (Delete) with the caret
 *   right after the chip or its zero-width space (right before the chip),
 *   trusted or synthetic — OWA removes the chip and prevents the default;
 *   (b) `beforeinput` `deleteContentBackward` / `deleteContent` / `deleteByCut`
 *   / `deleteContentForward` / `deleteWord…` whose target range (or the
 *   selection) covers chips or sits right after one; (c) `document.execCommand("delete")`
 *   with the selection around the chip (e.g. `range.selectNode(chip)`, or from
 *   before the chip to after its zero-width space) or collapsed right after the
 *   zero-width space; where the browser deletes by itself, the `input` event
 *   that follows drops chips no longer in the well, and a chip whose zero-width
 *   space was deleted backwards.
 * - The editor model: `chips()` and the send record come from each well's list
 *   of chip elements and a WeakMap chip → address. A chip node removed by a
 *   script without any editing event stays a recipient until the next edit of
 *   that well; a chip node copied in by a script is never one.
 * - Send: a `click` reaching `#app` (frame `body`) through the primary button
 *   (also a click on its inner spans); `keydown` Enter/Space on the focused
 *   primary button (default prevented, so the browser's activation click does
 *   not send again); `keydown` Ctrl/⌘+Enter anywhere in the compose root. A
 *   native send records `{composeId, to, cc, bcc, typed: {to, cc, bcc},
 *   subject, via, trusted}` (`via`: "click", "enter", "space", "ctrl-enter",
 *   "meta-enter", "alt-s", "schedule:<choice>"), pushes it to `__fixture.sent`, increments
 *   `__fixture.sendCount` and removes the compose.
 * - Browser facts met while checking this fixture (Chromium 156, Firefox ESR
 *   153): neither browser fires `beforeinput` for `execCommand("delete")` /
 *   `("forwardDelete")` / `("insertText")` (only `input`, with inputType
 *   `deleteContentBackward` / `deleteContentForward` / `insertText`), so those
 *   paths rely on the `input` reconciliation above; Chromium turns a synthetic
 *   `InputEvent` with inputType `"deleteContent"` into `""` (ignored); Firefox
 *   gives a synthetic `ClipboardEvent("paste", {clipboardData})` an empty
 *   DataTransfer. The sessions' `click()` cannot reach into the pop-out iframe
 *   (Playwright's hit test and BiDi's element origin both stop at the frame);
 *   use keyboard input there, or `.click()`.
 *
 * ## Test API (page main world; the parent page for `popout`)
 *
 * `window.__fixture`: `sendCount`, `sent`, `attempts`, `alerts`, `shortcuts`,
 * `lastShortcut`, `pageCaptureSeen`, `ready`, `variant`, `lang`, `account`,
 * `chipMode`, `composes()` (open composeIds), `chips(composeId?, field)` (true
 * addresses, from the model), `typed(composeId?, field)` (loose text),
 * `chipLabels(composeId?, field)` (aria-labels of the chips in the well),
 * `expanded(composeId?)`, `open(opts?)` (another docked compose),
 * `scheduleOpens` (`{composeId, trusted}` per opening of the schedule dialog),
 * `openSchedule(composeId?)` (opens it directly). `field` is
 * "to" | "cc" | "bcc"; without a composeId the first open compose is used. The
 * page sets `document.documentElement.dataset.fixtureReady = "1"` once built.
 */

import { fixturePage, fixtureQuery, notFound } from "./session.mjs";

/** The fixture page, answered with a fresh nonce each time. */
const page = fixturePage(new URL("../../fixtures/outlook/", import.meta.url));

/** The hosts OWA is served from (Briskine's `urls` and several manifests). */
export const OUTLOOK_HOSTS = ["outlook.office.com", "outlook.office365.com", "outlook.live.com", "outlook.cloud.microsoft"];

/**
 * Router for the OWA hosts (implements session.mjs's `Router`); register it
 * for each host in `OUTLOOK_HOSTS` that a test uses.
 *
 * Any https path on an OWA host (any query and hash) is answered with the
 * fixture page, under `strictCsp()` with a fresh nonce; `/favicon.ico` and
 * other hosts get a small 404.
 * @param {URL} url
 * @returns {import("./session.mjs").Fixture}
 */
export function outlookRouter(url) {
  if (url.protocol === "https:" && OUTLOOK_HOSTS.includes(url.hostname) && url.pathname !== "/favicon.ico") {
    return page();
  }
  return notFound("Outlook fixture");
}

/**
 * @typedef {object} OutlookParams Query parameters of the fixture (see the
 *   table in this file's header). Arrays are joined with ","; `true` becomes
 *   "1"; `undefined`, `null` and `false` are left out.
 * @property {"docked"|"fullpage"|"inline"|"popout"|"two"} [variant]
 * @property {"en"|"ja"} [lang]
 * @property {string} [account]
 * @property {string} [name]
 * @property {string|string[]} [to]
 * @property {string|string[]} [cc]
 * @property {string|string[]} [bcc]
 * @property {string|string[]} [to2]
 * @property {string|string[]} [cc2]
 * @property {string|string[]} [bcc2]
 * @property {"address"|"named"|"presence"|"title"} [chip]
 * @property {string} [typed]
 * @property {string} [typed2]
 * @property {boolean|1} [noremove]
 * @property {boolean|1} [pagecapture]
 * @property {number} [n]
 * @property {boolean|1|"always"} [alert]
 * @property {string} [subject]
 * @property {string} [subject2]
 * @property {string} [body]
 * @property {number} [resolve]
 * @property {number} [delay]
 * @property {"schedule"|"sendlater"} [sendmenu]
 * @property {boolean|1} [accesskey]
 * @property {boolean|1} [menuclose]
 */

/**
 * `https://<host>/mail/?<params>`.
 * @param {OutlookParams} [params]
 * @param {string} [host] one of `OUTLOOK_HOSTS`
 * @returns {string}
 * @example outlookUrl({variant: "inline", lang: "ja", chip: "presence", to: ["a@x.example", "Bo <b@y.example>"]}, "outlook.live.com")
 */
export function outlookUrl(params = {}, host = "outlook.office.com") {
  return `https://${host}/mail/${fixtureQuery(params)}`;
}
