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
 * dialog), and hands it to `Dialog.handle`, which acts only on trusted input:
 * a page script calling `.click()` on a button (the shadow root is open)
 * chooses nothing. Everything is built with `textContent`, never HTML
 * strings, so a display name like `<img src=x onerror=…>` stays text.
 *
 * One dialog is shown at a time; each belongs to the compose it is about.
 * A second compose asking meanwhile waits its turn, and closing is only
 * done by the dialog's owner.
 */

import { ext, message } from "../lib/browser.js";
import { PROTOCOL_VERSION } from "../lib/engine-client.js";
import { DIALOG_CSS } from "./dialog-style.js";

const HOST_ATTRIBUTE = "data-bcc-guard";

/**
 * The few texts the "could not check" dialog needs when the extension's
 * message catalogue is unreachable: an update or reload leaves old content
 * scripts running, cut off from the extension.
 */
const FALLBACK = {
  en: {
    dialog_titleUnverified: "BCC Guard could not check the recipients",
    dialog_unverified: "The message has not been sent. Make sure no external recipients in To or Cc would see each other's addresses, then send anyway or cancel.",
    dialog_extensionUpdated: "BCC Guard was updated or restarted. Reload this page to have your recipients checked again.",
    dialog_sendAnyway: "Send anyway",
    dialog_cancel: "Cancel",
    dialog_settings: "BCC Guard settings",
    lang: "en",
  },
  ja: {
    dialog_titleUnverified: "宛先を確認できませんでした",
    dialog_unverified: "メールはまだ送信されていません。To・CC の社外の宛先同士でアドレスが見えてしまわないかご確認のうえ、このまま送信するかキャンセルしてください。",
    dialog_extensionUpdated: "BCC Guard が更新または再起動されました。宛先を再び確認するには、このページを再読み込みしてください。",
    dialog_sendAnyway: "このまま送信",
    dialog_cancel: "キャンセル",
    dialog_settings: "BCC Guard の設定",
    lang: "ja",
  },
};

/**
 * A message from the catalogue, or the built-in fallback when the catalogue
 * cannot be reached.
 * @param {string} key
 * @param {Array<string|number>} [substitutions]
 */
function text(key, substitutions = []) {
  const found = message(key, substitutions);
  if (found !== key) return found;
  const lang = navigator.language?.toLowerCase().startsWith("ja") ? "ja" : "en";
  return FALLBACK[lang][key] ?? key;
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
    /** The compose the open dialog is about. */
    this.owner = null;
    /** Resolves when the open dialog closes. */
    this.closed = Promise.resolve();
    /** @type {() => void} */
    this.markClosed = () => {};
  }

  /**
   * Whether an event happened inside this dialog. Events from a shadow tree
   * are retargeted to the host at window level, so the path is what tells;
   * the host is compared by identity, not by an attribute any page element
   * could carry.
   * @param {Event} event
   * @returns {boolean}
   */
  contains(event) {
    return this.host !== null && event.composedPath().includes(this.host);
  }

  /** @returns {boolean} */
  isOpen() {
    return this.host !== null;
  }

  /**
   * Shows the verdict on an exposure and resolves with the user's choice.
   * @param {Element} owner The compose it is about.
   * @param {object} reply An `evaluate` reply whose verdict is warn or block.
   * @returns {Promise<string>}
   */
  showVerdict(owner, reply) {
    const { verdict, plan, recipients } = reply;
    const body = [];
    for (const reason of verdict.reasons) {
      body.push(h("p", { class: "reason", "data-reason": reason.code }, text(`reason_${reason.code}`, reason.args)));
    }
    body.push(this.groupList(verdict.groups, recipients));
    const staying = verdict.internalRecipients + verdict.trustedRecipients;
    if (staying > 0) {
      body.push(h("p", { class: "staying" }, text("dialog_staying", [verdict.internalRecipients, verdict.trustedRecipients])));
    }
    if (plan) body.push(this.planPreview(plan, recipients));
    const unmovable = plan?.unmovable ?? [];
    if (unmovable.length) {
      // They are already listed with the exposed recipients (`data-raw`);
      // this list repeats them as things to do, under another attribute, so
      // that the contract's one element per exposed recipient holds.
      body.push(h("p", { class: "warning" }, text("dialog_unmovableList")), this.fixList(unmovable, recipients, "data-fix"));
    }
    const buttons = [];
    // A plan that can move nobody (every exposed recipient is unreadable)
    // offers no move: the user has to fix those recipients by hand. A plan
    // that leaves someone on show offers the move but not the send: everyone
    // in Bcc would still see who is left, so the user fixes them and sends
    // again, through the guard.
    const canMove = plan && (plan.remove.length > 0 || Boolean(plan.placeholder));
    if (canMove && unmovable.length === 0) buttons.push(["move-and-send", "dialog_moveAndSend", "primary"]);
    if (canMove) buttons.push(["move", "dialog_move", unmovable.length ? "primary" : ""]);
    if (verdict.sendAnyway) buttons.push(["send-anyway", "dialog_sendAnyway", ""]);
    buttons.push(["cancel", "dialog_cancel", ""]);
    return this.open(owner, "dialog_titleExposure", body, buttons, verdict.action);
  }

  /**
   * Shows that the recipients could not be checked. Fail closed: nothing was
   * sent. "Send anyway" is offered only where the policy allows sending
   * despite a warning (a broken check must not stop all mail, but it must
   * not defeat a blocking policy either).
   * @param {Element} owner The compose it is about.
   * @param {string} code Why: an engine error code, "readFailed",
   *   "noSendButton" or "extensionUpdated".
   * @param {string} detail Technical detail, shown small.
   * @param {boolean} allowSendAnyway What the policy said when last asked.
   * @returns {Promise<string>}
   */
  showUnverified(owner, code, detail, allowSendAnyway = true) {
    if (code === "noSendButton") {
      return this.open(owner, "dialog_titleNoSendButton", [h("p", {}, text("dialog_noSendButton"))], [["cancel", "dialog_close", "primary"]], "warn");
    }
    const body = [h("p", {}, text("dialog_unverified"))];
    if (code === "extensionUpdated") body.push(h("p", {}, text("dialog_extensionUpdated")));
    else if (detail) body.push(h("p", { class: "detail" }, `${code}: ${detail}`));
    const buttons = [["cancel", "dialog_cancel", "primary"]];
    if (allowSendAnyway) buttons.push(["send-anyway", "dialog_sendAnyway", ""]);
    return this.open(owner, "dialog_titleUnverified", body, buttons, allowSendAnyway ? "warn" : "block");
  }

  /**
   * Shows that the move did not produce the planned recipients, or that it
   * did but someone is still on show (`moved`); nothing was sent either way,
   * and the list says what to fix by hand.
   * @param {Element} owner The compose it is about.
   * @param {object|null} verification The engine's verification, if any.
   * @param {string} detail An error message, if the move itself failed.
   * @param {object} reply The evaluate reply whose plan was applied.
   * @param {boolean} [moved] The planned move happened; what is left needs the user.
   * @returns {Promise<string>}
   */
  showMoveFailed(owner, verification, detail, reply, moved = false) {
    const items = [];
    for (const { field, entry, unreadable } of verification?.missing ?? []) {
      items.push(h("li", { [unreadable ? "data-raw" : "data-address"]: entry }, text("dialog_shouldBeIn", [entry, fieldLabel(field)])));
    }
    for (const { field, entry, unreadable } of verification?.unexpected ?? []) {
      items.push(h("li", { [unreadable ? "data-raw" : "data-address"]: entry }, text("dialog_shouldNotBeIn", [entry, fieldLabel(field)])));
    }
    const body = [h("p", {}, text(moved ? "dialog_movedFixByHand" : "dialog_moveFailed"))];
    // Recipients the move could not take (unreadable) also need the user.
    const unmovable = reply.plan?.unmovable ?? [];
    if (items.length || unmovable.length) {
      const list = this.fixList(unmovable, reply.recipients);
      list.prepend(...items);
      body.push(list);
    } else if (verification) body.push(this.planPreview(reply.plan, reply.recipients));
    if (detail) body.push(h("p", { class: "detail" }, detail));
    const title = moved ? "dialog_titleFixByHand" : "dialog_titleMoveFailed";
    return this.open(owner, title, body, [["cancel", "dialog_close", "primary"]], "warn");
  }

  /**
   * The recipients the user has to fix by hand, each by its verbatim token.
   * @param {number[]} indices Into `recipients`.
   * @param {object[]} recipients The reply's recipients.
   * @param {string} [attribute] The attribute that carries each token.
   */
  fixList(indices, recipients, attribute = "data-raw") {
    const items = indices.map((index) => {
      const raw = recipients[index]?.raw ?? recipients[index]?.name ?? "";
      return h("li", { [attribute]: raw }, text("dialog_fixByHand", [raw]));
    });
    return h("ul", { class: "fixes" }, ...items);
  }

  /** Replaces the buttons with a progress note while the move runs. */
  showBusy() {
    const actions = this.shadow?.querySelector(".actions");
    if (!actions) return;
    actions.replaceChildren(h("p", { class: "busy", role: "status" }, text("dialog_busy")));
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
          ? text("dialog_groupOrganisation", [group.domain, group.recipients.length])
          : group.kind === "mailboxes"
            ? text("dialog_groupMailboxes", [group.domain, group.recipients.length])
            : text("dialog_groupUnreadable", [group.recipients.length]);
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
      recipient.deceptive ? h("span", { class: "deceptive" }, text("dialog_deceptive")) : null,
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
      if (entries.length === 0) summary = text("dialog_empty");
      else if (entries.length <= PREVIEW_NAMES) summary = entries.join(", ");
      else summary = text("dialog_recipientCount", [entries.length]);
      return h("div", { class: "row", "data-field": field }, h("dt", {}, fieldLabel(field)), h("dd", {}, summary));
    });
    return h("section", { class: "plan" }, h("h3", {}, text("dialog_afterMove")), h("dl", {}, ...rows));
  }

  /**
   * Builds and shows the dialog; resolves when a button is chosen. If another
   * compose's dialog is open, waits for it to close first.
   * @param {Element} owner
   * @param {string} titleKey
   * @param {Node[]} body
   * @param {Array<[string, string, string]>} buttons [action, message key, class]
   * @param {string} severity "warn" | "block"
   * @returns {Promise<string>}
   */
  async open(owner, titleKey, body, buttons, severity) {
    while (this.host && this.owner !== owner) await this.closed;
    this.close(owner);
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
        lang: text("lang"),
      },
      h("h2", { id: "bcc-guard-title" }, text(titleKey)),
      h("div", { id: "bcc-guard-body", class: "body" }, ...body),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", "data-link": "settings", class: "link" }, text("dialog_settings")),
        ...buttons.map(([action, key, kind]) => h("button", { type: "button", "data-action": action, class: kind }, text(key))),
      ),
    );
    shadow.append(h("div", { class: "backdrop" }), dialog);
    document.documentElement.append(host);
    this.openedAt = performance.now();
    this.host = host;
    this.shadow = shadow;
    this.owner = owner;
    this.closed = new Promise((resolve) => {
      this.markClosed = resolve;
    });
    // The safe choice has the focus: moving to Bcc where that is offered,
    // else cancelling (never "Send anyway").
    /** @type {HTMLElement|null} */
    const first = shadow.querySelector('[data-action="move-and-send"], [data-action="cancel"]');
    first?.focus();
    return new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  /**
   * Removes the dialog, if open and (when `owner` is given) that compose's;
   * a pending choice resolves as "cancel".
   * @param {Element} [owner]
   */
  close(owner) {
    if (!this.host || (owner !== undefined && owner !== this.owner)) return;
    this.host.remove();
    this.host = null;
    this.shadow = null;
    this.owner = null;
    const resolve = this.resolve;
    this.resolve = null;
    resolve?.("cancel");
    this.markClosed();
  }

  /**
   * Handles an event from inside the dialog (the guard has already stopped
   * it from reaching the page).
   * @param {Event} event
   */
  handle(event) {
    if (!this.shadow) return;
    // Only the user chooses: page scripts can reach into the open shadow
    // root, but their events are not trusted.
    if (!event.isTrusted) return;
    if (event.type === "click") {
      // The second click of a double click on Send must not land on a choice.
      if (event.detail > 1) return;
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
  return text(`dialog_field_${field}`);
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
