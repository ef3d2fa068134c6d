/**
 * @file The warning dialog, in an open shadow root on `document.documentElement`.
 *
 * Automation contract (stable; tests and admins' QA scripts rely on it):
 * - the host is `[data-bcc-guard="dialog"]`, a child of `document.documentElement`,
 *   with an open shadow root holding the `role="alertdialog"` element;
 * - its buttons carry `data-action` = `move-and-send`, `move`, `send-anyway`
 *   (only when allowed) and `cancel`;
 * - every exposed recipient is listed by an element whose `data-address` is
 *   the normalised address (unreadable tokens: `data-raw` with the token).
 *
 * The dialog registers no listeners of its own. The guard's window-level
 * capture listener sees every event first, stops it from reaching the page
 * (so Gmail's single-key shortcuts never fire while the user is in the
 * dialog, and no page script can click our buttons' listeners away), and
 * hands it to `Dialog.handle`. Everything is built with `textContent`, never
 * HTML strings, so a display name like `<img src=x onerror=…>` stays text.
 */

import { ext, message } from "../lib/browser.js";
import { PROTOCOL_VERSION } from "../lib/engine-client.js";
import { DIALOG_CSS } from "./dialog-style.js";

const HOST_ATTRIBUTE = "data-bcc-guard";

/**
 * Whether an event happened inside our dialog. Events from a shadow tree are
 * retargeted to the host at window level, so the path is what tells.
 * @param {Event} event
 * @returns {boolean}
 */
export function isInsideDialog(event) {
  const path = event.composedPath();
  return path.some((node) => node instanceof Element && node.getAttribute(HOST_ATTRIBUTE) === "dialog");
}

/**
 * Creates an element with attributes and children (strings become text).
 * @param {string} tag
 * @param {Record<string, string|boolean|undefined>} [attributes]
 * @param {...(Node|string|null|undefined|false)} children
 * @returns {HTMLElement}
 */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, "");
    else if (value !== undefined && value !== false) element.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

/** How many entries the "after the move" summary names before it just counts. */
const PREVIEW_NAMES = 3;

/**
 * How long after opening the dialog ignores Enter and Space, so that a key
 * pressed twice to send cannot confirm a choice the user has not seen.
 */
const ARMING_DELAY_MS = 400;

export class Dialog {
  constructor() {
    /** @type {HTMLElement|null} */
    this.host = null;
    /** @type {ShadowRoot|null} */
    this.shadow = null;
    /** @type {((choice: string) => void)|null} */
    this.resolve = null;
    /** When the dialog last opened (performance.now()). */
    this.openedAt = 0;
  }

  /** @returns {boolean} */
  isOpen() {
    return this.host !== null;
  }

  /**
   * Shows the verdict on an exposure and resolves with the user's choice.
   * @param {object} reply An `evaluate` reply whose verdict is warn or block.
   * @returns {Promise<string>}
   */
  showVerdict(reply) {
    const { verdict, plan, recipients } = reply;
    const body = [];
    for (const reason of verdict.reasons) {
      body.push(h("p", { class: "reason", "data-reason": reason.code }, message(`reason_${reason.code}`, reason.args)));
    }
    body.push(this.groupList(verdict.groups, recipients));
    const staying = verdict.internalRecipients + verdict.trustedRecipients;
    if (staying > 0) {
      body.push(h("p", { class: "staying" }, message("dialog_staying", [verdict.internalRecipients, verdict.trustedRecipients])));
    }
    if (plan) body.push(this.planPreview(plan, recipients));
    if (plan?.unmovable.length) {
      body.push(h("p", { class: "warning" }, message("dialog_unmovable", [plan.unmovable.length])));
    }
    const buttons = [];
    // A plan that can move nobody (every exposed recipient is unreadable)
    // offers no move: the user has to fix those recipients by hand.
    const canMove = plan && (plan.remove.length > 0 || Boolean(plan.placeholder));
    if (canMove) {
      buttons.push(["move-and-send", "dialog_moveAndSend", "primary"]);
      buttons.push(["move", "dialog_move", ""]);
    }
    if (verdict.sendAnyway) buttons.push(["send-anyway", "dialog_sendAnyway", ""]);
    buttons.push(["cancel", "dialog_cancel", ""]);
    return this.open("dialog_titleExposure", body, buttons, verdict.action);
  }

  /**
   * Shows that the recipients could not be checked. Fail closed: nothing was
   * sent; the user may still send (a broken check must not stop all mail).
   * @param {string} code Why: an engine error code, "readFailed" or "noSendButton".
   * @param {string} detail Technical detail, shown small.
   * @returns {Promise<string>}
   */
  showUnverified(code, detail) {
    if (code === "noSendButton") {
      return this.open("dialog_titleNoSendButton", [h("p", {}, message("dialog_noSendButton"))], [["cancel", "dialog_close", "primary"]], "warn");
    }
    const body = [h("p", {}, message("dialog_unverified"))];
    if (detail) body.push(h("p", { class: "detail" }, `${code}: ${detail}`));
    return this.open(
      "dialog_titleUnverified",
      body,
      [
        ["cancel", "dialog_cancel", "primary"],
        ["send-anyway", "dialog_sendAnyway", ""],
      ],
      "warn",
    );
  }

  /**
   * Shows that the move did not produce the planned recipients; nothing was
   * sent, and the list says what to fix by hand.
   * @param {object|null} verification The engine's verification, if any.
   * @param {string} detail An error message, if the move itself failed.
   * @param {object} reply The evaluate reply whose plan was applied.
   * @returns {Promise<string>}
   */
  showMoveFailed(verification, detail, reply) {
    const items = [];
    for (const { field, entry } of verification?.missing ?? []) {
      items.push(h("li", { "data-address": entry }, message("dialog_shouldBeIn", [entry, fieldLabel(field)])));
    }
    for (const { field, entry } of verification?.unexpected ?? []) {
      items.push(h("li", { "data-address": entry }, message("dialog_shouldNotBeIn", [entry, fieldLabel(field)])));
    }
    // Recipients the move could not take (unreadable) also need the user.
    for (const index of reply.plan?.unmovable ?? []) {
      const raw = reply.recipients[index]?.raw ?? "";
      items.push(h("li", { "data-raw": raw }, message("dialog_fixByHand", [raw])));
    }
    const body = [h("p", {}, message("dialog_moveFailed"))];
    if (items.length) body.push(h("ul", { class: "fixes" }, ...items));
    else if (verification) body.push(this.planPreview(reply.plan, reply.recipients));
    if (detail) body.push(h("p", { class: "detail" }, detail));
    return this.open("dialog_titleMoveFailed", body, [["cancel", "dialog_close", "primary"]], "warn");
  }

  /** Replaces the buttons with a progress note while the move runs. */
  showBusy() {
    const actions = this.shadow?.querySelector(".actions");
    if (!actions) return;
    actions.replaceChildren(h("p", { class: "busy", role: "status" }, message("dialog_busy")));
  }

  /**
   * The exposed recipients, grouped by party.
   * @param {object[]} groups
   * @param {object[]} recipients
   */
  groupList(groups, recipients) {
    const list = h("div", { class: "groups" });
    for (const group of groups) {
      const heading =
        group.kind === "organisation"
          ? message("dialog_groupOrganisation", [group.domain, group.recipients.length])
          : group.kind === "mailboxes"
            ? message("dialog_groupMailboxes", [group.domain, group.recipients.length])
            : message("dialog_groupUnreadable", [group.recipients.length]);
      const items = group.recipients.map((index) => this.recipientItem(recipients[index]));
      list.append(h("section", { class: `group ${group.kind}` }, h("h3", {}, heading), h("ul", {}, ...items)));
    }
    return list;
  }

  /** One exposed recipient: name and address as text. */
  recipientItem(recipient) {
    if (!recipient.address) {
      return h("li", { "data-raw": recipient.raw ?? "", class: "unreadable" }, h("span", { class: "raw" }, recipient.raw ?? recipient.name ?? ""));
    }
    // Webmail often uses the address as the name when there is none.
    const name = recipient.name && recipient.name.toLowerCase() !== recipient.address.toLowerCase() ? recipient.name : null;
    return h(
      "li",
      { "data-address": recipient.address },
      name ? h("span", { class: "name" }, name) : null,
      h("span", { class: "address" }, recipient.address),
      recipient.deceptive ? h("span", { class: "deceptive" }, message("dialog_deceptive")) : null,
    );
  }

  /**
   * "After the move: To: …, Cc: —, Bcc: 40 recipients".
   * @param {object} plan
   * @param {object[]} recipients The reply's recipients (the plan's indices point into them).
   */
  planPreview(plan, recipients) {
    const rows = ["to", "cc", "bcc"].map((field) => {
      const entries = plan.after[field].map((index) => recipients[index]?.address ?? recipients[index]?.raw ?? "");
      if (field === "to" && plan.placeholder) entries.push(plan.placeholder);
      let summary;
      if (entries.length === 0) summary = message("dialog_empty");
      else if (entries.length <= PREVIEW_NAMES) summary = entries.join(", ");
      else summary = message("dialog_recipientCount", [entries.length]);
      return h("div", { class: "row", "data-field": field }, h("dt", {}, fieldLabel(field)), h("dd", {}, summary));
    });
    return h("section", { class: "plan" }, h("h3", {}, message("dialog_afterMove")), h("dl", {}, ...rows));
  }

  /**
   * Builds and shows the dialog; resolves when a button is chosen.
   * @param {string} titleKey
   * @param {Node[]} body
   * @param {Array<[string, string, string]>} buttons [action, message key, class]
   * @param {string} severity "warn" | "block"
   * @returns {Promise<string>}
   */
  open(titleKey, body, buttons, severity) {
    this.close();
    const host = h("div", { [HOST_ATTRIBUTE]: "dialog" });
    const shadow = host.attachShadow({ mode: "open" });
    applyStyle(shadow);
    const dialog = h(
      "div",
      {
        role: "alertdialog",
        "aria-modal": "true",
        "aria-labelledby": "bcc-guard-title",
        "aria-describedby": "bcc-guard-body",
        class: `dialog ${severity}`,
        lang: message("lang"),
      },
      h("h2", { id: "bcc-guard-title" }, message(titleKey)),
      h("div", { id: "bcc-guard-body", class: "body" }, ...body),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", "data-link": "settings", class: "link" }, message("dialog_settings")),
        ...buttons.map(([action, key, kind]) => h("button", { type: "button", "data-action": action, class: kind }, message(key))),
      ),
    );
    shadow.append(h("div", { class: "backdrop" }), dialog);
    document.documentElement.append(host);
    this.openedAt = performance.now();
    this.host = host;
    this.shadow = shadow;
    /** @type {HTMLElement|null} */
    const first = shadow.querySelector("button[data-action]");
    first?.focus();
    return new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  /** Removes the dialog, if open; a pending choice resolves as "cancel". */
  close() {
    if (!this.host) return;
    this.host.remove();
    this.host = null;
    this.shadow = null;
    const resolve = this.resolve;
    this.resolve = null;
    resolve?.("cancel");
  }

  /**
   * Handles an event from inside the dialog (the guard has already stopped
   * it from reaching the page).
   * @param {Event} event
   */
  handle(event) {
    if (!this.shadow) return;
    if (event.type === "click") {
      const path = event.composedPath();
      const button = path.find((node) => node instanceof Element && node.hasAttribute("data-action"));
      if (button && !button.disabled) this.choose(button.getAttribute("data-action"));
      if (path.some((node) => node instanceof Element && node.getAttribute("data-link") === "settings")) {
        // Content scripts cannot open extension pages; the background can.
        ext().runtime.sendMessage({ v: PROTOCOL_VERSION, kind: "openOptions" }).catch(() => {});
      }
      return;
    }
    if (event.type !== "keydown" && event.type !== "keyup") return;
    if ((event.key === "Enter" || event.key === " ") && this.isCarryOver(event)) {
      // A held or repeated send shortcut must not confirm the dialog the
      // user has not read yet: no button activation for it.
      event.preventDefault();
      return;
    }
    if (event.type !== "keydown") return;
    if (event.key === "Escape") {
      event.preventDefault();
      this.choose("cancel");
    } else if (event.key === "Tab") {
      // Keep the focus inside the dialog.
      event.preventDefault();
      // The choices first, then the settings link, in a cycle.
      const buttons = [...this.shadow.querySelectorAll("button[data-action]"), ...this.shadow.querySelectorAll("button[data-link]")];
      if (buttons.length === 0) return;
      const at = buttons.indexOf(this.shadow.activeElement);
      const next = (at + (event.shiftKey ? -1 : 1) + buttons.length) % buttons.length;
      buttons[next].focus();
    }
  }

  /**
   * Whether a key event belongs to the keystroke that opened the dialog
   * rather than to a decision: auto-repeat, a Ctrl/⌘ chord (the send
   * shortcut), or anything within the first moments after opening.
   * @param {KeyboardEvent} event
   */
  isCarryOver(event) {
    return event.repeat || event.ctrlKey || event.metaKey || performance.now() - this.openedAt < ARMING_DELAY_MS;
  }

  /** @param {string} choice */
  choose(choice) {
    const resolve = this.resolve;
    this.resolve = null;
    resolve?.(choice);
  }
}

/** @param {string} field "to" | "cc" | "bcc" */
function fieldLabel(field) {
  return message(`dialog_field_${field}`);
}

/**
 * Styles the shadow root. A constructed stylesheet is immune to the page's
 * `style-src`; where a browser refuses one from a content script, a `<style>`
 * element is the fallback.
 * @param {ShadowRoot} shadow
 */
function applyStyle(shadow) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(DIALOG_CSS);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    shadow.append(h("style", {}, DIALOG_CSS));
  }
}
