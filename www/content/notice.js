/**
 * @file The live notice in each compose: what Send would stop for, said
 * while the user is still writing, with the fix one click away.
 *
 * It shows the verdict the precheck (precheck.js) already has for the
 * compose's current recipients — the same engine reply the send-time dialog
 * would show — so it costs no request of its own and never disagrees with
 * what happens at Send. It names the outside parties the way the engine
 * grouped them ("3 outside parties would see each other's addresses:
 * a.example (2), b.example, 2 people at gmail.com") and offers **Move them
 * to Bcc** (the guard runs the engine's plan through the shared move
 * transaction: written, read back, verified, nothing sent), **Details** (the
 * exposure dialog, offering no send) and **Dismiss** (for this compose, until
 * the exposed set grows). It is hidden when nothing would be stopped and when
 * the `composeNotice` setting (carried by every verdict) is off. `showBlind()`
 * turns it into the loud "Not protected" of a compose BCC Guard cannot read:
 * the guard calls `Notices.health` from the health watch's `onHealth`
 * (health.js), and that notice shows whatever `composeNotice` says.
 *
 * Automation contract (stable, like the dialog's):
 * - the host is `[data-bcc-guard="notice"]`, with an open shadow root;
 * - its `data-state` is `exposure` or `blind` while it is shown, `hidden`
 *   (with the `hidden` attribute) otherwise;
 * - its buttons carry `data-action` = `move` (only where the plan can move
 *   someone), `details` and `dismiss`;
 * - one `[data-party]` element per party group the engine made (an
 *   organisation, the people at one consumer-mail provider, the unreadable
 *   recipients): `data-party` is the domain (empty for unreadable ones) and
 *   `data-parties` how many parties it stands for, so that they add up to
 *   the verdict's `exposedParties`.
 *
 * Where it sits: each adapter names a slot (`Adapter.noticeSlot`) above the
 * message body, never inside a `contenteditable` (the draft must not save
 * it, the editor must not edit it), in the normal flow of the compose. When
 * the page re-renders the compose and drops or moves the host, a
 * MutationObserver puts it back, a little later, so that a page fighting it
 * cannot lock the two into a loop. Page CSS cannot hide it: the host carries
 * an inline `!important` style (as the dialog's, dialog-style.js), put back
 * if the page changes it.
 *
 * Input: it registers no listeners. The guard's window-level capture
 * listener sees every event first, keeps the notice's events from the page
 * and hands them here (`handle`); only trusted clicks act, on buttons
 * recognised by identity. It never takes the focus: it is a polite
 * `role="status"` region whose buttons are in the compose's Tab order.
 */

import { message } from "../lib/browser.js";
import { verdictChoices } from "../lib/choices.js";
import { completeRecipients } from "../lib/engine-client.js";
import { noticeHeadline, partyLabel, partySeparator } from "../lib/notice-text.js";

const HOST_ATTRIBUTE = "data-bcc-guard";

/** The host's inline style while shown, and while hidden (see the file comment). */
const SHOWN_STYLE = ["all: initial", "display: block", "box-sizing: border-box", "margin: 6px 0", "width: auto", "zoom: 1"]
  .map((declaration) => `${declaration} !important`)
  .join("; ");
const HIDDEN_STYLE = "all: initial !important; display: none !important";

/** How soon the host is put back after the page moved, removed or restyled it. */
const RESTORE_DELAY_MS = 40;

/**
 * How long someone new must stay on show before a dismissed notice comes
 * back. While an address is being typed each pause yields a verdict about
 * the half-typed text ("b", "boss@corp.ex"), which is someone new every
 * time; the notice must not come back for a colleague being typed in.
 */
const GROWTH_SETTLE_MS = 1500;

/**
 * Every height in whole pixels (line-height 18px, not 1.4; the party list's
 * cap 90px, not 6.5em): the notice pushes down, or up, what is around it,
 * and a compose anchored at the bottom of the window (Gmail's) moves by its
 * height. A fractional move leaves every element of that compose at a new
 * subpixel offset, which Chromium can only repaint element by element — on
 * a 1,000-recipient compose 10–18 ms of paint preparation, against under
 * 1 ms for a whole-pixel move (BENCHMARKS.md, "Compose notice").
 */
const NOTICE_CSS = `
:host { all: initial; }
.notice {
  display: flex; flex-wrap: wrap; align-items: center; gap: 6px 12px;
  box-sizing: border-box; padding: 8px 12px; border-radius: 8px;
  border: 1px solid #e37400; border-inline-start-width: 6px;
  background: #fef7e0; color: #202124;
  font: 13px/18px system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Yu Gothic UI", "Noto Sans CJK JP", sans-serif;
}
.notice.blind { border-color: #c5221f; background: #fce8e6; }
.icon { font-size: 16px; line-height: 1; }
.text { flex: 1 1 320px; min-width: 0; }
.brand { font-weight: 600; margin-inline-end: 6px; }
.headline { font-weight: 500; }
.parties { display: block; max-height: 90px; overflow: auto; margin-top: 2px; overflow-wrap: anywhere; }
.actions { display: flex; flex-wrap: wrap; gap: 6px; }
button {
  font: inherit; font-weight: 500; cursor: pointer;
  padding: 4px 12px; border-radius: 14px; border: 1px solid #5f6368;
  background: #fff; color: #174ea6;
}
button.primary { background: #174ea6; border-color: #174ea6; color: #fff; }
button:focus-visible { outline: 3px solid #174ea6; outline-offset: 2px; }
@media (forced-colors: active) { .notice, button { border: 1px solid CanvasText; } }
`;

/** The message key of each button. */
const LABELS = Object.freeze({ move: "notice_move", details: "notice_details", dismiss: "notice_dismiss" });

/**
 * @typedef {object} NoticeActions What the notice's buttons ask of the guard.
 * @property {(root: Element) => void} move Move the exposed recipients to Bcc, sending nothing.
 * @property {(root: Element) => void} details Show the exposure dialog, offering no send.
 * @property {(root: Element) => void} focus Put the focus back into the compose.
 */

/** The notices of a page's composes. */
export class Notices {
  /**
   * @param {object} deps
   * @param {import("./adapters.js").Adapter} deps.adapter
   * @param {NoticeActions} deps.actions
   */
  constructor({ adapter, actions }) {
    this.adapter = adapter;
    this.actions = actions;
    /** @type {WeakMap<Element, Notice>} */
    this.notices = new WeakMap();
    /** The hosts, to recognise an event's notice by identity. @type {WeakMap<Element, Notice>} */
    this.byHost = new WeakMap();
  }

  /**
   * The notice of a compose, made (hidden) when first asked for.
   * @param {Element} root
   * @returns {Notice}
   */
  of(root) {
    let notice = this.notices.get(root);
    if (!notice) {
      notice = new Notice(root, this.adapter, this.actions);
      this.notices.set(root, notice);
      this.byHost.set(notice.host, notice);
    }
    return notice;
  }

  /**
   * A verdict for a compose's current recipients (Precheck.onVerdict).
   * @param {Element} root
   * @param {any} reply The engine's reply.
   * @param {object} [compose] The compose it is about, to name the recipients.
   */
  verdict(root, reply, compose) {
    // A compose that would show nothing gets no notice at all.
    if (!this.notices.has(root) && !(reply?.ok && reply.verdict.action !== "none" && reply.verdict.composeNotice)) return;
    this.of(root).verdict(reply, compose);
  }

  /**
   * A compose's health (health.js `onHealth`): "Not protected" while it is
   * blind, back to what the verdict says once it is ok or degraded again,
   * or gone. The blind notice ignores `composeNotice`: that setting turns
   * off the live exposure notice, a convenience, while a compose BCC Guard
   * cannot read must always say so before its send (fail visible) — under
   * `whenBlind` "notice" this and the toolbar badge are all that tell the
   * user, and an admin who turned the exposure notice off must not make
   * blind sends silent by it.
   * @param {Element} root The health's root: the adapter's, else the finder's.
   * @param {"ok"|"degraded"|"blind"|"closed"} state
   */
  health(root, state) {
    if (state === "blind") {
      this.of(root).showBlind();
      return;
    }
    const notice = this.notices.get(root);
    if (!notice) return;
    notice.clearBlind();
    // A compose that is gone, whose notice only ever said "Not protected"
    // (the finder's root, which the adapter maps under another element once
    // it can read the compose): its host goes too, so that the compose has
    // one notice. One that shows or dismissed an exposure stays, hidden as
    // it is, in case the compose was only re-rendering.
    if (state === "closed" && !notice.exposure && !notice.dismissed) {
      notice.host.remove();
      this.notices.delete(root);
      this.byHost.delete(notice.host);
    }
  }

  /**
   * The notice an event happened in, if any (through the shadow root's
   * retargeting: the path holds the host).
   * @param {Event} event
   * @returns {Notice|null}
   */
  noticeOf(event) {
    for (const node of event.composedPath()) {
      if (node instanceof Element && this.byHost.has(node)) return this.byHost.get(node) ?? null;
    }
    return null;
  }

  /**
   * Whether an event happened inside a notice.
   * @param {Event} event
   */
  contains(event) {
    return this.noticeOf(event) !== null;
  }

  /**
   * Handles an event from inside a notice (the guard has kept it from the page).
   * @param {Event} event
   */
  handle(event) {
    this.noticeOf(event)?.handle(event);
  }
}

/** One compose's notice. */
export class Notice {
  /**
   * @param {Element} root The compose.
   * @param {import("./adapters.js").Adapter} adapter
   * @param {NoticeActions} actions
   */
  constructor(root, adapter, actions) {
    this.root = root;
    this.adapter = adapter;
    this.actions = actions;
    this.host = document.createElement("div");
    this.host.setAttribute(HOST_ATTRIBUTE, "notice");
    this.shadow = this.host.attachShadow({ mode: "open" });
    /** What each button does, by element: never read back from the DOM. @type {WeakMap<Element, string>} */
    this.buttons = new WeakMap();
    /** The exposure shown (or dismissed): the engine's reply and the recipients' identities. */
    this.exposure = /** @type {{reply: any, exposed: Set<string>, key: string}|null} */ (null);
    /** The exposed recipients when the user dismissed the notice; null while not dismissed. @type {Set<string>|null} */
    this.dismissed = null;
    /** Brings a dismissed notice back once someone new has stayed on show. */
    this.growth = null;
    /** Whether BCC Guard cannot read this compose (`showBlind`), and whether that was dismissed. */
    this.blind = false;
    this.blindDismissed = false;
    /** What is drawn now, to redraw only when it changes (no chatter in the live region). */
    this.drawn = "";
    this.timer = null;
    this.observer = new MutationObserver(() => this.later());
    this.hide();
  }

  /** The state shown: "exposure", "blind" or "hidden". */
  get state() {
    if (this.blind && !this.blindDismissed) return "blind";
    if (this.exposure && !this.dismissed) return "exposure";
    return "hidden";
  }

  /**
   * A new verdict for the compose's current recipients.
   * @param {any} reply
   * @param {object} [compose]
   */
  verdict(reply, compose) {
    const verdict = reply?.ok ? reply.verdict : null;
    if (!verdict || verdict.action === "none" || !verdict.composeNotice) {
      // Nothing would be stopped (or the check failed, and the send-time
      // check will say so): nothing to show. A dismissal ends with it, so
      // that a later exposure is shown afresh.
      this.exposure = null;
      this.dismissed = null;
      clearTimeout(this.growth);
      this.growth = null;
    } else {
      const exposed = exposedOf(reply, compose);
      const key = JSON.stringify([verdict.action, verdict.reasons, verdict.groups, [...exposed], verdictChoices(reply)]);
      this.exposure = { reply, exposed, key };
      // Dismissed until someone new is on show, and stays on show for a
      // moment: each verdict while typing starts the wait again.
      clearTimeout(this.growth);
      this.growth = null;
      if (this.dismissed && this.grown()) {
        this.growth = setTimeout(() => {
          this.growth = null;
          if (!this.grown()) return;
          this.dismissed = null;
          this.update();
        }, GROWTH_SETTLE_MS);
      }
    }
    this.update();
  }

  /** Whether the exposure shown holds someone the user did not dismiss. */
  grown() {
    const dismissed = this.dismissed;
    return Boolean(dismissed && this.exposure && [...this.exposure.exposed].some((identity) => !dismissed.has(identity)));
  }

  /** Says that BCC Guard cannot read this compose (the detector's "blind"). */
  showBlind() {
    if (!this.blind) this.blindDismissed = false;
    this.blind = true;
    this.update();
  }

  /** The compose can be read again. */
  clearBlind() {
    this.blind = false;
    this.blindDismissed = false;
    this.update();
  }

  /** Hides the notice until the exposed set grows (or, blind, until it is blind again). */
  dismiss() {
    if (this.state === "blind") this.blindDismissed = true;
    else if (this.exposure) this.dismissed = new Set(this.exposure.exposed);
    this.update();
  }

  /** Draws the current state, if it changed, and shows or hides the host. */
  update() {
    const state = this.state;
    if (state === "hidden") {
      this.hide();
      return;
    }
    const key = state === "blind" ? "blind" : `exposure:${this.exposure?.key}`;
    if (key !== this.drawn) {
      this.render(state);
      this.drawn = key;
    }
    this.show(state);
  }

  /** Takes the host out of view (it stays in place, hidden, for the contract). */
  hide() {
    this.observer.disconnect();
    clearTimeout(this.timer);
    this.timer = null;
    this.host.setAttribute("data-state", "hidden");
    this.host.hidden = true;
    this.host.style.cssText = HIDDEN_STYLE;
    this.drawn = "";
    this.shadow.replaceChildren();
  }

  /**
   * Shows the host in its slot and watches that it stays there and shown.
   * @param {string} state
   */
  show(state) {
    this.host.setAttribute("data-state", state);
    this.host.hidden = false;
    this.host.lang = message("lang");
    if (this.host.getAttribute("style") !== this.shownStyle) {
      this.host.style.cssText = SHOWN_STYLE;
      this.shownStyle = this.host.getAttribute("style");
    }
    this.place();
    this.observer.takeRecords();
    this.observer.disconnect();
    if (!this.root.isConnected) return;
    this.observer.observe(this.root, { childList: true, subtree: true });
    this.observer.observe(this.host, { attributes: true });
  }

  /** Puts the host in the adapter's slot, if it is not there already. */
  place() {
    let slot = null;
    try {
      slot = this.adapter.noticeSlot(this.root);
    } catch {
      slot = null;
    }
    if (!slot || isEditable(slot.parent)) {
      // No slot (a compose laid out as never seen): at the top of the
      // compose, which is never an editor.
      slot = { parent: this.root, before: this.root.firstChild };
    }
    const { parent, before } = slot;
    const at = before && before.parentNode === parent ? before : null;
    if (this.host.parentNode === parent && (at ? this.host.nextSibling === at : true)) return;
    parent.insertBefore(this.host, at === this.host ? this.host.nextSibling : at);
  }

  /** Puts the host back shortly after the page moved or changed it. */
  later() {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      const state = this.state;
      if (state === "hidden" || !this.root.isConnected) return;
      for (const name of this.host.getAttributeNames()) {
        if (![HOST_ATTRIBUTE, "data-state", "style", "lang"].includes(name)) this.host.removeAttribute(name);
      }
      this.host.setAttribute(HOST_ATTRIBUTE, "notice");
      this.show(state);
    }, RESTORE_DELAY_MS);
  }

  /**
   * Draws the content for a state into the shadow root.
   * @param {string} state "exposure" | "blind"
   */
  render(state) {
    this.buttons = new WeakMap();
    const button = (action, primary = false) => {
      const element = h("button", { type: "button", "data-action": action, class: primary ? "primary" : undefined }, message(LABELS[action]));
      this.buttons.set(element, action);
      return element;
    };
    let text;
    let actions;
    if (state === "blind") {
      text = [h("span", { class: "headline" }, message("notice_blind"))];
      actions = [button("dismiss")];
    } else {
      const { reply } = /** @type {{reply: any}} */ (this.exposure);
      text = [h("span", { class: "headline" }, noticeHeadline(reply.verdict)), " ", partyList(reply.verdict.groups)];
      const canMove = verdictChoices(reply).includes("move");
      actions = [canMove ? button("move", true) : null, button("details"), button("dismiss")];
    }
    const notice = h(
      "div",
      { class: `notice ${state}`, role: "status", "aria-live": "polite", "aria-atomic": "true" },
      h("span", { class: "icon", "aria-hidden": "true" }, "\u26A0\uFE0E"),
      h("div", { class: "text" }, h("span", { class: "brand" }, message("notice_brand")), " ", ...text),
      h("div", { class: "actions" }, ...actions),
    );
    this.shadow.replaceChildren();
    applyStyle(this.shadow);
    this.shadow.append(notice);
  }

  /**
   * An event from inside the notice: only a trusted click on one of its
   * buttons does anything.
   * @param {Event} event
   */
  handle(event) {
    if (event.type !== "click" || !event.isTrusted) return;
    const button = event.composedPath().find((node) => node instanceof Element && this.buttons.has(node));
    const action = button && this.buttons.get(/** @type {Element} */ (button));
    if (!action) return;
    if (action === "dismiss") {
      this.dismiss();
      // Its button is gone: the focus goes back where the user writes (a
      // blind compose's root may be one the adapter cannot focus in).
      try {
        this.actions.focus(this.root);
      } catch {
        // The focus stays where it is.
      }
    } else if (action === "move" && this.state === "exposure") {
      this.actions.move(this.root);
    } else if (action === "details" && this.state === "exposure") {
      this.actions.details(this.root);
    }
  }
}

/**
 * The identities of the exposed recipients (the verdict's groups): the
 * address, or the unreadable token as written.
 * @param {any} reply
 * @param {object} [compose] The compose the reply is about: the reply
 *   leaves out what the sender already has.
 * @returns {Set<string>}
 */
function exposedOf(reply, compose) {
  // In place and idempotent: the guard completes the same reply at Send.
  if (compose) completeRecipients(reply, compose);
  const recipients = Array.isArray(reply.recipients) ? reply.recipients : [];
  const exposed = new Set();
  for (const group of reply.verdict.groups ?? []) {
    for (const index of group.recipients) {
      const recipient = recipients[index];
      exposed.add(recipient?.address ? `a:${recipient.address}` : `r:${recipient?.raw ?? recipient?.name ?? index}`);
    }
  }
  return exposed;
}

/**
 * The parties on show, one element each, as the engine grouped them.
 * @param {any[]} groups
 */
function partyList(groups) {
  if (!groups?.length) return null;
  const list = h("span", { class: "parties" });
  groups.forEach((group, index) => {
    // The separator is text, so that a screen reader reads the list as shown.
    if (index > 0) list.append(partySeparator());
    list.append(h("span", { "data-party": group.domain, "data-parties": String(group.parties), "data-kind": group.kind }, partyLabel(group)));
  });
  return list;
}

/**
 * Whether an element is, or is inside, an editor.
 * @param {Element} element
 */
function isEditable(element) {
  return element instanceof HTMLElement && element.isContentEditable;
}

/**
 * Creates an element with attributes and children (strings become text).
 * @param {string} tag
 * @param {Record<string, string|undefined>} [attributes]
 * @param {...(Node|string|null|undefined|false)} children
 * @returns {HTMLElement}
 */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

/** The one constructed sheet every notice adopts (made on first use). @type {CSSStyleSheet|null} */
let sharedSheet = null;

/**
 * Styles the shadow root: a constructed sheet (immune to the page's
 * `style-src`), one for all notices, else a `<style>` element.
 * @param {ShadowRoot} shadow
 */
function applyStyle(shadow) {
  try {
    if (!sharedSheet) {
      sharedSheet = new CSSStyleSheet();
      sharedSheet.replaceSync(NOTICE_CSS);
    }
    shadow.adoptedStyleSheets = [sharedSheet];
  } catch {
    shadow.append(h("style", {}, NOTICE_CSS));
  }
}
