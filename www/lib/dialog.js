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
 * `data-action` is only its published name. A dialog the page may have
 * changed or drawn over since it was drawn chooses nothing: it is drawn
 * again, saying so, and the user chooses again. That is any DOM change in
 * the shadow root or its style sheet; content in the host's `::before` or
 * `::after`; an animation, highlight or view transition of the page's over
 * it; an element of the page's that entered the top layer (a popover, a
 * modal dialog, a fullscreen element) since the host was last put on top;
 * and a key (a click with `detail` 0) on a button the dialog did not focus
 * itself (`focusFirst`, the user's Tab or press), since a page script can
 * move the focus without changing anything in the dialog. A choice that was
 * not offered is never resolved, and the hosts check the choice against
 * the same list (www/lib/choices.js) before acting on it.
 *
 * Nor can the page hide it. The host is a manual popover, in the top layer
 * above anything the page can stack and out of reach of its ancestors'
 * opacity, filters and transforms; its inline style is `!important`, which
 * outranks every rule of the page's CSS about the host, and the shadow
 * tree's `!important` rules remove the host's pseudo-elements
 * (dialog-style.js); and while the dialog is open a watch puts the host
 * back, shown and on top, whenever the page removes it, changes its
 * attributes, closes the popover or shows something of its own in the top
 * layer. The send it holds stays held throughout.
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
 * scripts running, cut off from the extension. Each is its catalogue
 * message word for word (tests/js/locales.test.mjs).
 */
export const FALLBACK = {
  en: {
    dialog_titleUnverified: "BCC Guard could not check the recipients",
    dialog_unverified: "The message has not been sent. Make sure no external recipients in To or Cc would see each other's addresses, then send anyway or cancel.",
    dialog_unverifiedBlocked: "The message has not been sent. BCC Guard's settings (yours or your organisation's) do not allow sending it without this check.",
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
    dialog_unverifiedBlocked: "メールはまだ送信されていません。BCC Guard の設定（ご自身または組織による設定）により、この確認を経ずに送信することはできません。",
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
    /**
     * The button the dialog itself last focused (the safe choice, or the
     * next one on the user's Tab): the only one a key may choose.
     * @type {Element|null}
     */
    this.focused = null;
    /**
     * The page's elements that were in the top layer when the host was last
     * put on top of it: below the dialog. @type {Set<Element>}
     */
    this.below = new Set();
    /** What the watch does when something enters or leaves the top layer. @type {(event: Event) => void} */
    this.onTopLayer = () => {};
    // Registered now, at document_start, before any listener of the page:
    // a page listener on window cannot stop these from seeing the events.
    // The top layer: the page's popovers, modal dialogs and fullscreen
    // elements, and the host's own popover (toggle does not bubble, but the
    // capture phase sees it).
    this.relay = (/** @type {Event} */ event) => this.onTopLayer(event);
    for (const type of ["toggle", "fullscreenchange"]) window.addEventListener(type, this.relay, { capture: true });
    // A press on the dialog: the dialog is checked as the button goes down,
    // before the page could react to the press and take away, for the
    // click that follows, what it showed the user. The page is not told.
    // A press on one of its buttons also makes that button the one a key
    // may choose next (the browser focuses what the user pressed).
    window.addEventListener(
      "pointerdown",
      (event) => {
        if (!event.isTrusted || !this.contains(event)) return;
        event.stopImmediatePropagation();
        if (this.intact()) {
          const pressed = event.composedPath().find((node) => node instanceof Element && this.buttons.has(node));
          if (pressed) this.focused = /** @type {Element} */ (pressed);
        }
      },
      { capture: true },
    );
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
      // Above whatever the page put in the top layer meanwhile.
      this.stack(true);
      this.focusFirst();
    };
    this.render(titleKey, body, buttons, severity);
    document.documentElement.append(host);
    this.stack();
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
      pins.pin(root);
      this.stack(again);
      again = false;
      if (!this.shadow?.activeElement) this.focusFirst();
      place.takeRecords();
      observe();
    };
    const later = () => {
      timer ??= setTimeout(restore, RESTORE_DELAY_MS);
    };
    // Whether the page put something in the top layer since: it is drawn
    // above the dialog until the host is put on top again.
    let again = false;
    const place = new MutationObserver(later);
    // The document element itself may be replaced: watch it anew each time.
    const observe = () => {
      place.disconnect();
      place.observe(document, { childList: true });
      place.observe(document.documentElement, { childList: true, attributes: true, attributeFilter: ["style"] });
      place.observe(host, { attributes: true });
    };
    const pins = new RootPins();
    pins.pin(document.documentElement);
    observe();
    this.onTopLayer = (event) => {
      if (this.host !== host) return;
      const target = /** @type {Element} */ (event.target);
      if (target === host) {
        later();
      } else if (event.type === "fullscreenchange" ? document.fullscreenElement : opened(/** @type {ToggleEvent} */ (event))) {
        // The page's own popover, modal dialog or fullscreen element, above
        // the dialog: what the user sees there may be the page's, so no
        // choice is taken until the dialog is drawn again, on top.
        this.tampered = true;
        again = true;
        later();
      }
    };
    this.unwatch = () => {
      clearTimeout(timer);
      place.disconnect();
      pins.unpin();
      this.observer?.disconnect();
      this.observer = null;
      this.onTopLayer = () => {};
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
        this.focused = button;
        return;
      }
    }
  }

  /**
   * Puts the host in the top layer, or (`again`) on top of it once more,
   * and notes what of the page's is there below it.
   * @param {boolean} [again]
   */
  stack(again = false) {
    if (this.host && raise(this.host, again)) this.below = new Set(topLayer(this.shadow, this.relay));
  }

  /**
   * Whether the open dialog is as it was drawn and nothing of the page's is
   * drawn over it: no DOM change in its shadow root since, its style sheet
   * unchanged, no content in the host's `::before` or `::after` (which the
   * host's inline style does not reach, and which hit-test as the host), no
   * effect of the page's on the document element that reaches the dialog,
   * none of its elements animated (the dialog has no animations
   * of its own; the page's could move or fade its buttons), no highlight of
   * the page's over its text, nothing of the page's in the top layer above
   * it, and no view transition (which shows the page's pictures in place of
   * the page). Once not, the dialog stays so until it is drawn again.
   * @returns {boolean}
   */
  intact() {
    const shadow = this.shadow;
    if (!shadow) return false;
    if (this.observer?.takeRecords().length) this.tampered = true;
    const { sheet, text: drawn } = this.style;
    if (sheet && (shadow.adoptedStyleSheets.length !== 1 || shadow.adoptedStyleSheets[0] !== sheet || sheetText(sheet) !== drawn)) {
      this.tampered = true;
    }
    if (decorated(shadow.host) || !RootPins.hold(document.documentElement) || shadow.getAnimations().length || highlighted(shadow) || topLayer(shadow, this.relay).some((element) => !this.below.has(element))) {
      this.tampered = true;
    }
    const transition = /** @type {any} */ (document).activeViewTransition;
    if (transition) {
      this.tampered = true;
      // Until it ends, clicks do not reach the dialog.
      transition.skipTransition();
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
        // A key (Enter, Space: a click with no mouse press, `detail` 0)
        // chooses only the button the dialog focused. A page script can
        // move the focus without changing anything in the dialog.
        if (event.detail === 0 && button !== this.focused) this.tampered = true;
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
      this.focused = buttons[next];
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
 * brings it back there; `again` puts it last there (on top) even when it is
 * shown. Where popovers are unknown the host still has the highest z-index
 * and its `!important` rules.
 * @param {HTMLElement} host
 * @param {boolean} [again]
 * @returns {boolean} Whether the host was shown (and so is on top now).
 */
function raise(host, again = false) {
  if (typeof host.showPopover !== "function" || !host.isConnected) return false;
  try {
    if (host.matches(":popover-open")) {
      if (!again) return false;
      host.hidePopover();
    }
    host.showPopover();
    return true;
  } catch {
    // Not a popover any more, or in a document that cannot show one; the
    // watch tries again on the next change.
    return false;
  }
}

/**
 * The document element's effects that Firefox applies to the top layer too
 * (a page's `html { filter: blur(20px) }` blurs the dialog there, where
 * Chromium draws the top layer apart), set to none while the dialog is
 * open: an inline `!important` style outranks every rule of the page's.
 */
const ROOT_PINS = Object.freeze({ filter: "none", opacity: "1", "clip-path": "none", mask: "none", "mix-blend-mode": "normal" });

/**
 * Pins `ROOT_PINS` on the document element while the dialog is open, and
 * gives the element its own values back when it closes.
 */
class RootPins {
  constructor() {
    /** What each pinned element had before, by property. @type {Map<HTMLElement, Array<[string, string, string]>>} */
    this.saved = new Map();
  }

  /** @param {HTMLElement} root */
  pin(root) {
    if (!root?.style) return;
    if (!this.saved.has(root)) {
      this.saved.set(root, Object.keys(ROOT_PINS).map((name) => [name, root.style.getPropertyValue(name), root.style.getPropertyPriority(name)]));
    }
    for (const [name, value] of Object.entries(ROOT_PINS)) {
      if (root.style.getPropertyValue(name) !== value || root.style.getPropertyPriority(name) !== "important") root.style.setProperty(name, value, "important");
    }
  }

  unpin() {
    for (const [root, values] of this.saved) {
      for (const [name, value, priority] of values) {
        if (value) root.style.setProperty(name, value, priority);
        else root.style.removeProperty(name);
      }
      if (root.getAttribute("style") === "") root.removeAttribute("style");
    }
    this.saved.clear();
  }

  /**
   * Whether the pins hold on the document element now.
   * @param {Element|null} root
   */
  static hold(root) {
    if (!root) return true;
    const style = getComputedStyle(root);
    return style.filter === "none" && style.opacity === "1" && style.clipPath === "none" && style.mixBlendMode === "normal";
  }
}

/**
 * Whether the host has a `::before` or `::after` with content: the page's,
 * since the dialog gives it none (DIALOG_CSS removes both, and its
 * `!important` rules outrank the page's there). Such a pseudo-element can
 * cover the dialog, or draw a second "Move to BCC and send" over *Send
 * anyway* and let the click through.
 * @param {Element} host
 */
function decorated(host) {
  return ["::before", "::after"].some((pseudo) => {
    const content = getComputedStyle(host, pseudo).content;
    return content !== "none" && content !== "normal";
  });
}

/**
 * Whether a toggle event tells that one of the page's popovers or modal
 * dialogs opened (a `<details>` or a dialog shown without `showModal` is
 * not in the top layer).
 * @param {ToggleEvent} event
 */
function opened(event) {
  const target = /** @type {Element} */ (event.target);
  if (event.newState !== "open" || typeof target.matches !== "function") return false;
  return target.hasAttribute("popover") || (target.localName === "dialog" && target.matches(":modal"));
}

/**
 * What puts an element in the top layer, as far as this browser knows.
 */
const TOP_LAYER = [":popover-open", ":modal", ":fullscreen"].filter((selector) => globalThis.CSS?.supports?.(`selector(${selector})`)).join(", ");

/** Chromium's way to a closed shadow root, for content scripts. */
const DOM_API = /** @type {any} */ (globalThis).chrome?.dom;

/**
 * An element's shadow root, closed ones too where the browser shows them to
 * an extension (Firefox's `openOrClosedShadowRoot`, Chromium's `chrome.dom`).
 * @param {Element} element
 * @returns {ShadowRoot|null}
 */
function shadowRootOf(element) {
  if ("openOrClosedShadowRoot" in element) return /** @type {any} */ (element).openOrClosedShadowRoot;
  return DOM_API?.openOrClosedShadowRoot?.(element) ?? element.shadowRoot;
}

/** The page's shadow roots `topLayer` listens to. @type {WeakSet<ShadowRoot>} */
const listened = new WeakSet();

/**
 * The page's elements in the top layer now: popovers shown, modal dialogs
 * and fullscreen elements, in the document and in every shadow root. An
 * element in a shadow root fires its `toggle` there and nowhere else, so
 * `relay` is given those of every root found too.
 * @param {ShadowRoot|null} own The dialog's shadow root, left out.
 * @param {(event: Event) => void} relay
 * @returns {Element[]}
 */
function topLayer(own, relay) {
  if (!TOP_LAYER) return [];
  /** @type {Element[]} */
  const found = [];
  /** @param {Document|ShadowRoot} root */
  const visit = (root) => {
    found.push(...root.querySelectorAll(TOP_LAYER));
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const inner = shadowRootOf(/** @type {Element} */ (node));
      if (!inner || inner === own) continue;
      if (!listened.has(inner)) {
        listened.add(inner);
        inner.addEventListener("toggle", relay, { capture: true });
      }
      visit(inner);
    }
  };
  visit(document);
  return found.filter((element) => element !== own?.host);
}

/**
 * Whether the page has a highlight (CSS Custom Highlight API) over the
 * dialog's text: Chromium paints it in the host's highlight style, which
 * the page sets, and the highlight's name is the page's to choose.
 * @param {ShadowRoot} shadow
 */
function highlighted(shadow) {
  // Firefox: the page's registry, highlights and ranges as the page has
  // them, through waived wrappers. Its content scripts see them through
  // Xrays, which cannot wrap their iterators, and the page's forEach may not
  // call a function of the content script's ("Permission denied").
  const page = /** @type {any} */ (globalThis.window)?.wrappedJSObject;
  const registry = (page ?? globalThis).CSS?.highlights;
  if (!registry) return false;
  const own = page ? /** @type {any} */ (shadow).wrappedJSObject : shadow;
  try {
    for (const highlight of registry.values()) {
      for (const range of highlight.values()) {
        // A range the dialog's redrawing emptied paints nothing.
        if (range.collapsed) continue;
        if (range.startContainer.getRootNode() === own || range.endContainer.getRootNode() === own) return true;
      }
    }
  } catch {
    // The page's highlights cannot be read: any of them may be over the dialog.
    return registry.size > 0;
  }
  return false;
}
