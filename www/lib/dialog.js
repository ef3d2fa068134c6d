/**
 * @file The warning dialog, in an open shadow root on `document.documentElement`.
 * The same dialog serves every host that draws one: the webmail guard draws
 * it in the webmail page (www/content/guard.js), Thunderbird in a window of
 * its own (www/thunderbird/dialog-page.js).
 *
 * Automation contract (stable; tests and admins' QA scripts rely on it):
 * - the host is `[data-bcc-guard="dialog"]`, a child of `document.documentElement`,
 *   with an open shadow root holding the `role="alertdialog"` element;
 * - its buttons carry `data-action` = `move-and-send`, `move`, `send-anyway`
 *   (only when allowed), `retry` (the "could not check" dialog) and `cancel`;
 * - every exposed recipient is listed by an element whose `data-address` is
 *   the normalised address (unreadable tokens: `data-raw` with the token).
 *
 * The dialog registers no input listeners of its own. The guard's
 * window-level capture listener sees every event first, stops it from
 * reaching the page (so Gmail's single-key shortcuts never fire while the
 * user is in the dialog), and hands it to `Dialog.handle`, which acts only on
 * trusted input: a page script calling `.click()` on a button (the shadow
 * root is open) chooses nothing. Everything is built with `textContent`,
 * never HTML strings, so a display name like `<img src=x onerror=…>` stays
 * text.
 *
 * Nothing on the page can bend a choice. The shadow root is open (the
 * contract above), so a page script can rewrite anything in it; the dialog
 * therefore never reads a choice back from the DOM. What each button
 * chooses is kept in memory (`buttons`, a WeakMap keyed by the element);
 * `data-action` is only its published name. A dialog the page has changed
 * since it was drawn (any DOM change in the shadow root, or in its style
 * sheet) chooses nothing: it is drawn again, saying so, and the user
 * chooses again. A choice that was not offered is never resolved, and the
 * hosts check the choice against the same list (www/lib/choices.js) before
 * acting on it.
 *
 * Nor can the page hide it. The host is a manual popover, in the top layer
 * above anything the page can stack and out of reach of its ancestors'
 * opacity, filters and transforms; its inline style is `!important`, which
 * outranks every rule of the page's CSS (dialog-style.js); and while the
 * dialog is open a watch puts the host back, shown and on top, whenever the
 * page removes it, changes its attributes or closes the popover. The send it
 * holds stays held throughout.
 *
 * One dialog is shown at a time; each belongs to the compose it is about.
 * A second compose asking meanwhile waits its turn, and closing is only
 * done by the dialog's owner.
 */

import { ext, message } from "./browser.js";
import { unverifiedChoices, verdictChoices } from "./choices.js";
import { PROTOCOL_VERSION } from "./engine-client.js";
import { DIALOG_CSS, HOST_STYLE } from "./dialog-style.js";

/**
 * @typedef {MouseEvent & KeyboardEvent} UserInput A click, mouseup or key
 *   event, as the webmail guard's listeners and the Thunderbird dialog
 *   window receive them: the properties of the other kind are undefined at
 *   run time.
 */

const HOST_ATTRIBUTE = "data-bcc-guard";

/** The message key of each choice's button. */
const LABELS = Object.freeze({
  "move-and-send": "dialog_moveAndSend",
  move: "dialog_move",
  "send-anyway": "dialog_sendAnyway",
  retry: "dialog_retry",
  cancel: "dialog_cancel",
});

/**
 * How soon the watch puts back a host the page removed or changed. Not at
 * once: a page script that undoes every repair in its own observer must not
 * lock the two into a loop that freezes the page.
 */
const RESTORE_DELAY_MS = 40;

/** The host's attributes besides its style: the watch removes any other. */
const HOST_ATTRIBUTES = Object.freeze({ [HOST_ATTRIBUTE]: "dialog", popover: "manual" });

/**
 * The few texts the "could not check" dialog needs when the extension's
 * message catalogue is unreachable: an update or reload leaves old content
 * scripts running, cut off from the extension.
 */
const FALLBACK = {
  en: {
    dialog_titleUnverified: "BCC Guard could not check the recipients",
    dialog_unverified: "The message has not been sent. Make sure no external recipients in To or Cc would see each other's addresses, then send anyway or cancel.",
    dialog_unverifiedBlocked: "The message has not been sent. Your organisation does not allow sending it without this check.",
    dialog_unverifiedUnknown: "The message has not been sent. BCC Guard has not been able to read your organisation's settings yet, so it cannot offer to send without the check.",
    dialog_extensionUpdated: "BCC Guard was updated or restarted. Reload this page to have your recipients checked again.",
    dialog_sendAnyway: "Send anyway",
    dialog_cancel: "Cancel",
    dialog_settings: "BCC Guard settings",
    dialog_redrawn: "This page changed the dialog. BCC Guard has drawn it again: read it and choose again.",
    lang: "en",
  },
  ja: {
    dialog_titleUnverified: "宛先を確認できませんでした",
    dialog_unverified: "メールはまだ送信されていません。To・CC の社外の宛先同士でアドレスが見えてしまわないかご確認のうえ、このまま送信するかキャンセルしてください。",
    dialog_unverifiedBlocked: "メールはまだ送信されていません。組織の設定により、この確認を経ずに送信することはできません。",
    dialog_unverifiedUnknown: "メールはまだ送信されていません。BCC Guard が組織の設定をまだ読み込めていないため、確認を経ずに送信する選択肢は表示できません。",
    dialog_extensionUpdated: "BCC Guard が更新または再起動されました。宛先を再び確認するには、このページを再読み込みしてください。",
    dialog_sendAnyway: "このまま送信",
    dialog_cancel: "キャンセル",
    dialog_settings: "BCC Guard の設定",
    dialog_redrawn: "このページがダイアログを書き換えたため、BCC Guard が表示し直しました。内容をご確認のうえ、もう一度お選びください。",
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
    /**
     * What each button of the open dialog chooses, by element: kept here,
     * never read back from the DOM, which the page can rewrite.
     * @type {WeakMap<Element, string>}
     */
    this.buttons = new WeakMap();
    /** The choices the open dialog offers. @type {Set<string>} */
    this.offered = new Set();
    /**
     * How to draw the open dialog's content (title, body, buttons), again
     * if the page tampers with it. @type {(() => void)|null}
     */
    this.draw = null;
    /** Set when the page has changed the open dialog since it was drawn. */
    this.tampered = false;
    /** The open dialog's style sheet and its text as drawn. @type {{sheet: CSSStyleSheet|null, text: string}} */
    this.style = { sheet: null, text: "" };
    /** Notices the page's changes inside the open dialog. @type {MutationObserver|null} */
    this.observer = null;
    /** Ends the watches of the open dialog (see `watch`). */
    this.unwatch = () => {};
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
   * @param {object} owner The compose it is about (any object that stands for it).
   * @param {object} reply An `evaluate` reply whose verdict is warn or block.
   * @param {string[]} [choices] The choices to offer, from choices.js: the
   *   send's by default, `previewChoices` where nothing is to be sent.
   * @returns {Promise<string>}
   */
  showVerdict(owner, reply, choices = verdictChoices(reply)) {
    const { verdict, plan, recipients } = reply;
    // The move is the primary choice where one is offered (see choices.js).
    /** @type {Array<[string, string, string]>} */
    const buttons = choices.map((action, index) => [action, LABELS[action], index === 0 && action.startsWith("move") ? "primary" : ""]);
    return this.open(owner, "dialog_titleExposure", () => this.verdictBody(verdict, plan, recipients), buttons, verdict.action);
  }

  /**
   * The exposure dialog's text: reasons, the exposed recipients, who stays,
   * the plan, and what needs the user.
   * @param {any} verdict
   * @param {any} plan
   * @param {any[]} recipients
   * @returns {Node[]}
   */
  verdictBody(verdict, plan, recipients) {
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
    return body;
  }

  /**
   * Shows that the recipients could not be checked. Fail closed: nothing was
   * sent. "Send anyway" is offered only where the policy is known to allow
   * it: a broken check must not defeat a blocking policy, and until the
   * policy is known it may be one. The user is never stuck: "Try again" runs
   * the check again, and the dialog says what to do if it keeps failing.
   * @param {object} owner The compose it is about.
   * @param {string} code Why: an engine error code, "readFailed",
   *   "noSendButton", "extensionUpdated" or "blind" (a compose BCC Guard
   *   cannot read: content/health.js).
   * @param {string} detail Technical detail, shown small.
   * @param {boolean|null} [sendAnyway] What the policy said when last
   *   asked; `null` when it is not known.
   * @returns {Promise<string>}
   */
  showUnverified(owner, code, detail, sendAnyway = null) {
    if (code === "noSendButton") {
      return this.open(owner, "dialog_titleNoSendButton", () => [h("p", {}, text("dialog_noSendButton"))], [["cancel", "dialog_close", "primary"]], "warn");
    }
    const policy = sendAnyway === true ? "dialog_unverified" : sendAnyway === false ? "dialog_unverifiedBlocked" : "dialog_unverifiedUnknown";
    const body = () => [
      h("p", {}, text(policy)),
      h("p", {}, text(code === "extensionUpdated" ? "dialog_extensionUpdated" : code === "blind" ? "dialog_blind" : "dialog_retryHint")),
      code !== "extensionUpdated" && detail ? h("p", { class: "detail" }, `${code}: ${detail}`) : null,
    ];
    /** @type {Array<[string, string, string]>} */
    const buttons = unverifiedChoices(code, sendAnyway).map((action, index) => [action, LABELS[action], index === 0 ? "primary" : ""]);
    return this.open(owner, code === "blind" ? "dialog_titleBlind" : "dialog_titleUnverified", body, buttons, sendAnyway === true ? "warn" : "block");
  }

  /**
   * Shows that the move did not produce the planned recipients, or that it
   * did but someone is still on show (`moved`); nothing was sent either way,
   * and the list says what to fix by hand.
   * @param {object} owner The compose it is about (any object that stands for it).
   * @param {object|null} verification The engine's verification, if any.
   * @param {string} detail An error message, if the move itself failed.
   * @param {object} reply The evaluate reply whose plan was applied.
   * @param {boolean} [moved] The planned move happened; what is left needs the user.
   * @returns {Promise<string>}
   */
  showMoveFailed(owner, verification, detail, reply, moved = false) {
    const title = moved ? "dialog_titleFixByHand" : "dialog_titleMoveFailed";
    return this.open(owner, title, () => this.moveFailedBody(verification, detail, reply, moved), [["cancel", "dialog_close", "primary"]], "warn");
  }

  /**
   * What the failed or incomplete move needs from the user.
   * @param {any} verification
   * @param {string} detail
   * @param {any} reply
   * @param {boolean} moved
   * @returns {Node[]}
   */
  moveFailedBody(verification, detail, reply, moved) {
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
    return body;
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
    this.offered = new Set();
    actions.replaceChildren(h("p", { class: "busy", role: "status" }, text("dialog_busy")));
    // Our own change, not the page's.
    this.observer?.takeRecords();
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
   * @param {object} owner
   * @param {string} titleKey
   * @param {() => Array<Node|null>} body Builds the body (again, for a redraw).
   * @param {Array<[string, string, string]>} buttons [action, message key, class]
   * @param {string} severity "warn" | "block"
   * @returns {Promise<string>}
   */
  async open(owner, titleKey, body, buttons, severity) {
    while (this.host && this.owner !== owner) await this.closed;
    this.close(owner);
    const host = h("div", HOST_ATTRIBUTES);
    // Through the CSSOM, which no page CSP restricts (a style attribute can be).
    host.style.cssText = HOST_STYLE;
    const shadow = host.attachShadow({ mode: "open" });
    this.host = host;
    this.shadow = shadow;
    this.owner = owner;
    this.offered = new Set(buttons.map(([action]) => action));
    this.draw = () => {
      this.render(titleKey, body, buttons, severity);
      this.focusFirst();
    };
    this.render(titleKey, body, buttons, severity);
    document.documentElement.append(host);
    raise(host);
    this.focusFirst();
    this.watch(host, shadow);
    this.closed = new Promise((resolve) => {
      this.markClosed = () => resolve(undefined);
    });
    return new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  /**
   * Draws the dialog's content into the shadow root, replacing what is
   * there.
   * @param {string} titleKey
   * @param {() => Array<Node|null>} body
   * @param {Array<[string, string, string]>} buttons
   * @param {string} severity
   */
  render(titleKey, body, buttons, severity) {
    const shadow = this.shadow;
    if (!shadow) return;
    this.buttons = new WeakMap();
    const elements = buttons.map(([action, key, kind]) => {
      const button = h("button", { type: "button", "data-action": action, class: kind }, text(key));
      this.buttons.set(button, action);
      return button;
    });
    const notice = this.tampered ? h("p", { class: "warning", role: "status" }, text("dialog_redrawn")) : null;
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
      h("div", { id: "bcc-guard-body", class: "body" }, notice, ...body()),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", "data-link": "settings", class: "link" }, text("dialog_settings")),
        ...elements,
      ),
    );
    shadow.replaceChildren();
    this.style = applyStyle(shadow);
    shadow.append(h("div", { class: "backdrop" }), dialog);
    this.tampered = false;
    // What was just drawn is ours; the page's changes come after.
    this.observer?.takeRecords();
    this.openedAt = performance.now();
  }

  /**
   * Watches the open dialog until it closes: a change the page makes inside
   * it marks it as tampered (see `handle`), and a host the page removed,
   * changed or closed is put back, shown and on top.
   * @param {HTMLElement} host
   * @param {ShadowRoot} shadow
   */
  watch(host, shadow) {
    this.observer = new MutationObserver(() => {
      this.tampered = true;
    });
    this.observer.observe(shadow, { subtree: true, childList: true, attributes: true, characterData: true });
    let timer = null;
    // The style as the browser wrote it back, to tell when it has changed.
    const style = host.getAttribute("style");
    const restore = () => {
      timer = null;
      if (this.host !== host) return;
      const root = document.documentElement;
      // In the top layer the host's place in the DOM does not matter, as
      // long as it has one.
      if (host.parentNode !== root) root.append(host);
      for (const name of host.getAttributeNames()) {
        if (!Object.hasOwn(HOST_ATTRIBUTES, name) && name !== "style") host.removeAttribute(name);
      }
      for (const [name, value] of Object.entries(HOST_ATTRIBUTES)) {
        if (host.getAttribute(name) !== value) host.setAttribute(name, value);
      }
      if (host.getAttribute("style") !== style) host.style.cssText = HOST_STYLE;
      raise(host);
      if (!this.shadow?.activeElement) this.focusFirst();
      place.takeRecords();
      observe();
    };
    const later = () => {
      timer ??= setTimeout(restore, RESTORE_DELAY_MS);
    };
    const place = new MutationObserver(later);
    // The document element itself may be replaced: watch it anew each time.
    const observe = () => {
      place.disconnect();
      place.observe(document, { childList: true });
      place.observe(document.documentElement, { childList: true });
      place.observe(host, { attributes: true });
    };
    observe();
    host.addEventListener("toggle", later);
    this.unwatch = () => {
      clearTimeout(timer);
      place.disconnect();
      this.observer?.disconnect();
      this.observer = null;
      host.removeEventListener("toggle", later);
    };
  }

  /**
   * Focuses the open dialog's safe choice: moving to Bcc where that is
   * offered, else trying again or cancelling (never "Send anyway").
   */
  focusFirst() {
    if (!this.shadow) return;
    for (const action of ["move-and-send", "retry", "cancel"]) {
      const button = [...this.shadow.querySelectorAll("button")].find((b) => this.buttons.get(b) === action);
      if (button) {
        button.focus();
        return;
      }
    }
  }

  /**
   * Whether the open dialog is as it was drawn: no DOM change in its shadow
   * root since, and its style sheet unchanged.
   * @returns {boolean}
   */
  intact() {
    if (this.observer?.takeRecords().length) this.tampered = true;
    const { sheet, text: drawn } = this.style;
    if (sheet && (this.shadow?.adoptedStyleSheets.length !== 1 || this.shadow.adoptedStyleSheets[0] !== sheet || sheetText(sheet) !== drawn)) {
      this.tampered = true;
    }
    return !this.tampered;
  }

  /**
   * Removes the dialog, if open and (when `owner` is given) that compose's;
   * a pending choice resolves as "cancel".
   * @param {Element} [owner]
   */
  close(owner) {
    if (!this.host || (owner !== undefined && owner !== this.owner)) return;
    this.unwatch();
    this.unwatch = () => {};
    this.draw = null;
    this.offered = new Set();
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
   * @param {UserInput} event
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
      // The button is recognised by identity, and what it chooses comes from
      // memory: an attribute or a label the page rewrote changes nothing.
      const button = /** @type {Element|undefined} */ (path.find((node) => node instanceof Element && this.buttons.has(node)));
      if (button) {
        if (!this.intact()) {
          // The page changed what the user was reading: choose nothing and
          // draw the dialog again, as it should be, for the user to read.
          this.tampered = true;
          this.draw?.();
          return;
        }
        this.choose(this.buttons.get(button) ?? "cancel");
        return;
      }
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
      const all = [...this.shadow.querySelectorAll("button")];
      /** @type {HTMLButtonElement[]} */
      const buttons = [...all.filter((b) => this.buttons.has(b)), ...all.filter((b) => b.getAttribute("data-link") === "settings")];
      if (buttons.length === 0) return;
      const at = buttons.indexOf(/** @type {HTMLButtonElement} */ (this.shadow.activeElement));
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

  /**
   * Resolves the open dialog with a choice it offered; any other is ignored.
   * @param {string} choice
   */
  choose(choice) {
    if (!this.offered.has(choice)) return;
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
 * element is the fallback (its text is watched with the rest of the shadow
 * root).
 * @param {ShadowRoot} shadow
 * @returns {{sheet: CSSStyleSheet|null, text: string}} The constructed sheet
 *   and its text, to tell later whether the page changed it.
 */
function applyStyle(shadow) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(DIALOG_CSS);
    shadow.adoptedStyleSheets = [sheet];
    return { sheet, text: sheetText(sheet) };
  } catch {
    shadow.append(h("style", {}, DIALOG_CSS));
    return { sheet: null, text: "" };
  }
}

/**
 * A style sheet's rules as text.
 * @param {CSSStyleSheet} sheet
 */
function sheetText(sheet) {
  return Array.from(sheet.cssRules, (rule) => rule.cssText).join("\n");
}

/**
 * Puts the host in the top layer, above everything the page can stack, or
 * brings it back there. Where popovers are unknown the host still has the
 * highest z-index and its `!important` rules.
 * @param {HTMLElement} host
 */
function raise(host) {
  if (typeof host.showPopover !== "function" || !host.isConnected) return;
  try {
    if (host.matches(":popover-open")) return;
    host.showPopover();
  } catch {
    // Not a popover any more, or in a document that cannot show one; the
    // watch tries again on the next change.
  }
}
