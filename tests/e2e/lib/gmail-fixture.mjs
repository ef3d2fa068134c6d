/**
 * @file Serves the Gmail compose fixture at the real Gmail URL.
 *
 * The page is `tests/fixtures/gmail/compose.html` with
 * `tests/fixtures/gmail/behaviour.js` inlined into its one nonce'd
 * `<script>`, answered with a strict CSP (nonce scripts only, Trusted Types
 * required) and a fresh nonce per response, as mail.google.com does. The
 * DOM is reconstructed from the selectors InboxSDK, gmail.js, Briskine and
 * Mailvelope use (see /work/shared/research/webmail-dom.md §2 and §8.2);
 * it is not a capture of a live page.
 *
 * ## Query parameters understood by the behaviour script
 *
 * | name | values | effect |
 * |---|---|---|
 * | `variant` | `mole` (default) | one compose "mole" at the bottom right: `.dw .nH > .nH > .no > div.nH.nn > div.AD > div[role=dialog]` |
 * | | `fullscreen` | `body > .aSs > .aSt > div.nH > div[role=dialog]` (contains `div.aaZ`), over the inbox |
 * | | `inline` | inline reply in a thread view: `.adn .ip.adB > div.M9`, inline ancestry (`table[role=presentation] … td.Iy > div.fX > table.GS`, `div.aUy` inside `div.anm[name]`); recipients start collapsed into `div.aoD.hl` ("To: Dana Li"); To defaults to `Dana Li <dana@partner.example>` when `to` is absent |
 * | | `popout` | stand-alone compose window: `body.xE.xp`, `[role=main] > div[role=dialog]`; no top bar, rail, inbox or `.dw` |
 * | | `classic` | mole with the classic recipients UI: `.GS tr` rows with `textarea.vO[name]` and chips `.vR` (`span.vN`, `div.vM`, `input[type=hidden][name]` = `Name <addr>` or `addr`); all three rows exist, Cc/Bcc hidden until their link is clicked |
 * | | `two` | two independent moles (`c1` right, `c2` left) |
 * | `lang` | `en` (default), `ja` | translates every visible label, aria-label, tooltip and the title; ids/classes/names/roles unchanged |
 * | `account` | address, default `me@corp.example` | `document.title` ("Inbox (3) - <account> - Gmail") and `a[aria-label^="Google Account:"]` ("Google Account: Me (<account>)") |
 * | `name` | default `Me` | display name in that account label |
 * | `to`, `cc`, `bcc` | comma-separated entries | pre-filled chips: `a@x.example`, `Name <a@x.example>` (sets `data-name`), `@group:Team Name` (contact group: `data-name`, no `data-hovercard-id`). A given `cc`/`bcc` row exists from the start; otherwise it is created when its link is clicked |
 * | `to2`, `cc2`, `bcc2`, `typed2`, `subject2` | as above | the second compose of `variant=two` (defaults: the first one's values) |
 * | `n` | integer | appends `user<i>@org<i%97>.example` for i = 0…n-1 to To (performance runs, e.g. `n=1000`) |
 * | `typed` | text | left in the To row's input, not committed to a chip |
 * | `subject`, `body` | text | pre-filled subject / body (`\n` separates body lines) |
 * | `reset` | `1` | the first paste that adds chips to a row is wiped 50 ms later (once per row), like Gmail's fresh-compose reset |
 * | `alert` | `1` | the first send attempt of each compose is refused with Gmail's `body > div[role=alertdialog]` ("Please specify at least one recipient."; its OK button dismisses it) |
 * | | `always` | every attempt is refused |
 * | | `empty` | refused when no row has a chip or a typed address (what Gmail really does) |
 * | `rerender` | `1` | the Send button element is replaced by a fresh one (same classes, attributes, listeners) every 300 ms and after every attempt that did not send |
 * | `suggest` | `1` | a "Suggested recipients" strip inside `.GS` but outside every `[name]` row, with a chip `div[role=option][data-name][data-hovercard-id="suggested@elsewhere.example"]`; clicking it adds it to To |
 * | `collapse` | `1` | non-inline composes also fold the recipients into `div.aoD.hl` when the subject or body gets focus (inline always does) |
 * | `adwrap` | `1` | inserts a `div.nH` between `div.AD` and `[role=dialog]` (InboxSDK's mole code implies such a wrapper on real Gmail) |
 * | `delay` | ms | builds the compose(s) that long after load instead of synchronously |
 *
 * Every compose has the send-options menu (see docs/send-paths.md for the
 * sources): `.hG` opens `div.J-M[role=menu]` (inside the compose) on
 * mousedown, or on Enter/Space/ArrowDown with the focus staying on `.hG`;
 * its item `div.q8NmZb > div.J-N[role=menuitem][selector="scheduledSend"]`
 * "Schedule send" acts on mouseup after a mousedown on it, or on Enter/Space
 * on `.hG` while the menu is open. It opens the schedule dialog at the end of
 * body: `div.Kj-JD[role=dialog]` with `.ZkmAeb[role=menu]` presets
 * `.Az[role=menuitem][data-preset="tomorrow-morning"|"tomorrow-afternoon"|"monday-morning"]`
 * (click, Enter, Space) and `.AM[role=menuitem]` "Pick date & time", which
 * shows `input[aria-label=Date|Time][jsname=YPqjbf]` and a "Schedule send"
 * `button > span[jsname=V67aGc]`. A preset or that button "schedules": a
 * native send with `via` `schedule:<preset>` or `schedule:custom <date> <time>`.
 *
 * ## Test API (page main world)
 *
 * `window.__fixture`: `sendCount`, `sent` (records `{composeId, to, cc, bcc,
 * typed: {to, cc, bcc}, subject, via, trusted}`), `scheduleOpens` (records
 * `{composeId, how, trusted}`, one per opening of the schedule dialog),
 * `openSchedule(composeId?)` (opens it directly), `attempts`, `alerts`,
 * `rerenders`, `resets`, `shortcuts`, `lastShortcut`, `ready`, `variant`,
 * `lang`, `account`, `composes()`, `chips(composeId?, field)`,
 * `typed(composeId?, field)`, `open(opts?)`. The page sets
 * `document.documentElement.dataset.fixtureReady = "1"` once built.
 */

import { fixturePage, fixtureQuery, notFound } from "./session.mjs";

/** The fixture page, answered with a fresh nonce each time. */
const page = fixturePage(new URL("../../fixtures/gmail/", import.meta.url));

/** The path prefix of the signed-in Gmail app. */
const APP_PREFIX = "/mail/u/0/";

/**
 * Router for mail.google.com (implements session.mjs's `Router`).
 *
 * `https://mail.google.com/mail/u/0/…` (any query and hash) is answered with
 * the fixture page, under `strictCsp()` with a fresh nonce. Anything else on
 * the host (e.g. `/favicon.ico`) gets a small 404.
 * @param {URL} url
 * @returns {import("./session.mjs").Fixture}
 */
export function gmailRouter(url) {
  if (url.protocol === "https:" && url.hostname === "mail.google.com" && (url.pathname + "/").startsWith(APP_PREFIX)) {
    return page();
  }
  return notFound("Gmail fixture");
}

/**
 * @typedef {object} GmailParams Query parameters of the fixture (see the
 *   table in this file's header). Arrays are joined with ","; `true` becomes
 *   "1"; `undefined`, `null` and `false` are left out.
 * @property {"mole"|"fullscreen"|"inline"|"popout"|"classic"|"two"} [variant]
 * @property {"en"|"ja"} [lang]
 * @property {string} [account]
 * @property {string} [name]
 * @property {string|string[]} [to]
 * @property {string|string[]} [cc]
 * @property {string|string[]} [bcc]
 * @property {string|string[]} [to2]
 * @property {string|string[]} [cc2]
 * @property {string|string[]} [bcc2]
 * @property {number} [n]
 * @property {string} [typed]
 * @property {string} [typed2]
 * @property {string} [subject]
 * @property {string} [subject2]
 * @property {string} [body]
 * @property {boolean|1} [reset]
 * @property {boolean|1|"always"|"empty"} [alert]
 * @property {boolean|1} [rerender]
 * @property {boolean|1} [suggest]
 * @property {boolean|1} [collapse]
 * @property {boolean|1} [adwrap]
 * @property {number} [delay]
 */

/**
 * `https://mail.google.com/mail/u/0/?<params>#inbox`.
 * @param {GmailParams} [params]
 * @returns {string}
 * @example gmailUrl({variant: "inline", lang: "ja", to: ["a@x.example", "Bo <b@y.example>"], alert: 1})
 */
export function gmailUrl(params = {}) {
  return `https://mail.google.com${APP_PREFIX}${fixtureQuery(params)}#inbox`;
}
