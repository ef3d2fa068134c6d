/**
 * @file The Gmail adapter: where compose windows, recipients and the Send
 * button are in mail.google.com's DOM, and how to write recipients the way
 * Gmail accepts them.
 *
 * Selectors follow what InboxSDK, gmail.js, Mailvelope and Briskine rely on
 * (see shared/research/webmail-dom.md §2): structural classes that have been
 * stable for years, `name="to|cc|bcc"`, `data-hovercard-id` and roles, never
 * localized labels except as a last resort. Every lookup happens at event
 * time, because Gmail re-renders toolbars and rows.
 */

import { accountAddress } from "../lib/account.js";
import { pageHost, setInputValue, simulateClick, slotAbove, until } from "./dom.js";
import { FIELDS, additions, changedEntries } from "../lib/moves.js";

/** Elements that can be a compose window's root: mole/fullscreen dialog, inline reply, pop-out. */
const COMPOSE_ROOTS = ".M9, [role=dialog], body.xE.xp [role=main]";

/**
 * Send buttons: Send and Send + archive (`.Uo`), never the "more send
 * options" arrow. The tooltip fallback covers a changed class name; the
 * shortcut in parentheses ("(Ctrl-Enter)", "(⌘Enter)") is not translated.
 */
const SEND_STRATEGIES = [
  ".IZ .Up div > div[role=button]:not([aria-haspopup=true])",
  "div[role=button].aoO:not([aria-haspopup=true])",
  "div[role=button][data-tooltip*='Enter)']:not([aria-haspopup=true])",
];
const SEND_BUTTONS = SEND_STRATEGIES.join(", ");
/** The Send buttons found without the tooltip fallback. */
const SEND_BY_CLASS = SEND_STRATEGIES.slice(0, 2).join(", ");

/*
 * Send-options choices (docs/send-paths.md has the sources and how sure each
 * is). "More send options" (`.hG`) opens a menu whose "Schedule send" item
 * (`[selector="scheduledSend"]`, inside the compose: InboxSDK finds it there)
 * opens Gmail's schedule dialog at the end of the page; choosing a time in it
 * (a preset of `.ZkmAeb[role=menu]`, or the "Schedule send" button of the
 * date-and-time picker) schedules the mail. Gmail's menu items act on
 * mouseup, and a focused "More send options" button passes Enter to its open
 * menu. The item is the entry that is guarded; a time choice is checked again
 * against every open compose, since nothing in the dialog says whose it is.
 */
const MORE_SEND = ".IZ .Up .hG, .IZ .Up div[role=button][aria-haspopup=true]";
const SCHEDULE_ITEM = '[selector="scheduledSend"]';
/** The item's and the picker button's label: the fallback when attributes change. */
const SCHEDULE_LABELS = ["schedule send", "送信日時を設定"];
/** Preset times; `.AM` is "Pick date & time", which only opens the picker. */
const SCHEDULE_PRESETS = ".ZkmAeb[role=menu] [role=menuitem]:not(.AM)";

/** A PeopleKit (current UI) recipient row. */
const row = (field) => `div.anm[name="${field}"]`;
/** A classic-UI text area, and its chips' hidden inputs. */
const classicInput = (field) => `textarea[name="${field}"]`;
const classicChip = (field) => `.vR input[type=hidden][name="${field}"]`;
/** The Cc / Bcc links that materialise hidden rows. */
const TOGGLES = { cc: "span.pE[role=link], span.aB.gQ.pE", bcc: "span.pB[role=link], span.aB.gQ.pB" };

/**
 * The compose root an element belongs to: the innermost candidate that holds
 * a form with recipient rows. Other Gmail dialogs (settings, pickers) are
 * `[role=dialog]` too, hence the check.
 * @param {EventTarget|null} target
 * @returns {Element|null}
 */
function composeOf(target) {
  let element = target instanceof Element ? target : target instanceof Node ? target.parentElement : null;
  for (let candidate = element?.closest(COMPOSE_ROOTS); candidate; candidate = candidate.parentElement?.closest(COMPOSE_ROOTS) ?? null) {
    if (candidate.querySelector("form") && candidate.querySelector(`${row("to")}, ${classicInput("to")}`)) return candidate;
  }
  return null;
}

/**
 * The element an event really started on, through open shadow roots.
 * @param {Event} event
 * @returns {Element|null}
 */
function origin(event) {
  const first = event.composedPath()[0];
  return first instanceof Element ? first : event.target instanceof Element ? event.target : null;
}

/**
 * Every open compose, each by the root `composeOf` gives for its form.
 * @returns {Element[]}
 */
function openComposes() {
  const roots = new Set();
  for (const form of document.querySelectorAll("form")) {
    const root = composeOf(form);
    if (root) roots.add(root);
  }
  return [...roots];
}

/** The label an element shows, for the label fallbacks. */
const labelOf = (element) => (element.getAttribute("aria-label") || element.textContent || "").trim().toLowerCase();

/**
 * The "Schedule send" item an element is in, by attribute, else by label.
 * @param {Element} target
 * @returns {Element|null}
 */
function scheduleItemOf(target) {
  const item = target.closest(SCHEDULE_ITEM);
  if (item) return item;
  const menuItem = target.closest("[role=menuitem]");
  return menuItem && !menuItem.closest(".ZkmAeb") && SCHEDULE_LABELS.includes(labelOf(menuItem)) ? menuItem : null;
}

/**
 * A time choice of Gmail's schedule dialog an element is in, if any.
 * @param {Element} target
 * @returns {Element|null}
 */
function scheduleTimeOf(target) {
  const preset = target.closest(SCHEDULE_PRESETS);
  if (preset) return preset;
  const button = target.closest("button, [role=button]");
  if (!button || composeOf(button) || !button.closest("[role=dialog]")) return null;
  return SCHEDULE_LABELS.includes(labelOf(button)) ? button : null;
}

/**
 * A send-options choice the event makes, if any: the compose(s) it may send
 * and the element to activate again.
 * @param {import("./adapters.js").UserInput} event
 * @param {Element} target
 * @returns {{roots: Element[], choice: {element: Element, root: Element|null}}|null}
 */
function sendOptionsTarget(event, target) {
  const activation =
    event.type === "mouseup" || event.type === "click"
      ? event.button === 0
      : event.type === "keydown" && (event.key === "Enter" || event.key === " ") && !event.ctrlKey && !event.metaKey && !event.altKey;
  if (!activation) return null;
  let item = scheduleItemOf(target);
  if (!item && event.type === "keydown") {
    // Enter on "More send options" while its menu is open chooses in it.
    const more = target.closest(MORE_SEND);
    const root = more && composeOf(more);
    const own = root?.querySelector(SCHEDULE_ITEM);
    if (own && (more.getAttribute("aria-expanded") === "true" || own.getClientRects().length > 0)) item = own;
  }
  if (item) {
    const root = composeOf(item);
    return { roots: root ? [root] : openComposes(), choice: { element: item, root } };
  }
  const time = scheduleTimeOf(target);
  return time ? { roots: openComposes(), choice: { element: time, root: null } } : null;
}

/** @type {import("./adapters.js").Adapter} */
export const gmail = {
  name: "gmail",

  sendTarget(event) {
    const target = origin(event);
    if (!target) return null;
    const options = sendOptionsTarget(event, target);
    if (options) return options;
    if (event.type === "click") {
      const button = target.closest(SEND_BUTTONS);
      const root = button && composeOf(button);
      return root ? { root, via: button.matches(".Uo") ? "sendArchive" : "send" } : null;
    }
    if (event.type !== "keydown") return null;
    const modifier = event.ctrlKey || event.metaKey;
    if (event.key === "Enter" && modifier && !event.altKey) {
      const root = composeOf(target);
      return root ? { root, via: "send" } : null;
    }
    if ((event.key === "Enter" || event.key === " ") && !modifier && !event.altKey && !event.shiftKey) {
      const button = target.closest(SEND_BUTTONS);
      const root = button && composeOf(button);
      return root ? { root, via: button.matches(".Uo") ? "sendArchive" : "send" } : null;
    }
    return null;
  },

  composeOf,

  read(root) {
    const compose = { account: account(root), host: pageHost(), complete: false, to: [], cc: [], bcc: [] };
    const elements = { to: [], cc: [], bcc: [] };
    // A chip in To or Cc with no address (a contact group: Gmail sends to
    // its members, whom the page does not list) hides who the mail reaches.
    let reachUnknown = false;
    for (const field of FIELDS) {
      const entries = compose[field];
      const add = (entry, element) => {
        entries.push(entry);
        elements[field].push(element);
      };
      for (const rowElement of root.querySelectorAll(row(field))) {
        if (field === "to") compose.complete = true;
        // Only chips inside the row: Gmail's suggested-recipient chips elsewhere
        // in the compose carry data-hovercard-id too (gmail.js #713).
        for (const chip of rowElement.querySelectorAll("[role=option]")) {
          const name = chip.getAttribute("data-name") || chip.textContent.trim() || null;
          const address = chip.getAttribute("data-hovercard-id") || null;
          if (!address && field !== "bcc") reachUnknown = true;
          add({ name, address }, chip);
        }
        /** @type {HTMLInputElement|null} */
        const input = rowElement.querySelector("input[role=combobox], input:not([type=hidden])");
        if (input?.value.trim()) add({ text: input.value }, input);
      }
      for (const hidden of /** @type {NodeListOf<HTMLInputElement>} */ (root.querySelectorAll(classicChip(field)))) {
        if (!hidden.value.includes("@") && field !== "bcc") reachUnknown = true;
        add({ text: hidden.value }, hidden.closest(".vR") ?? hidden);
      }
      for (const textarea of /** @type {NodeListOf<HTMLTextAreaElement>} */ (root.querySelectorAll(classicInput(field)))) {
        if (field === "to") compose.complete = true;
        if (textarea.value.trim()) add({ text: textarea.value }, textarea);
      }
    }
    if (reachUnknown) compose.complete = false;
    return { compose, elements };
  },

  async applyPlan(root, plan, read, recipients) {
    expandRecipients(root);
    for (const [field, addresses] of additions(plan, recipients)) await addRecipients(root, field, addresses);
    const chips = [];
    for (const { field, entry, staying } of changedEntries(plan, recipients)) {
      const element = read.elements[field][entry];
      if (!element?.isConnected) continue;
      if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement) {
        setInputValue(element, staying.join(", "));
      } else {
        // A chip is one recipient as far as anyone has seen; should one ever
        // hold several, those that stay are written back before it goes.
        if (staying.length) await addRecipients(root, field, staying);
        const remove = element.querySelector(".afX, .vM, [role=button][aria-label]");
        if (remove) simulateClick(remove);
        chips.push(element);
      }
    }
    await until(() => !chips.some((chip) => chip.isConnected), 1500);
  },

  async commitTyped(root) {
    // Gmail turns a typed address into a chip when its input loses the
    // focus, which the move causes; commit it first so the plan fits.
    for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (root.querySelectorAll("div.anm[name] input[role=combobox]"))) {
      if (!input.value.includes("@")) continue;
      input.focus();
      input.blur();
      input.dispatchEvent(new FocusEvent("blur"));
      await until(() => !input.value.includes("@"), 1000);
    }
  },

  replaySend(root, via = "send") {
    const buttons = [...root.querySelectorAll(SEND_BUTTONS)];
    const button = buttons.find((b) => b.matches(".Uo") === (via === "sendArchive")) ?? buttons[0];
    if (!button) return false;
    simulateClick(button);
    return true;
  },

  replayChoice({ element, root }) {
    // Gmail may have re-rendered the menu meanwhile: the compose's own item then.
    const again = element.isConnected ? element : root?.isConnected ? root.querySelector(SCHEDULE_ITEM) : null;
    if (!again) return false;
    simulateClick(again);
    return true;
  },

  focus(root) {
    /** @type {HTMLElement|null} */
    const target = root.querySelector("[g_editable=true], [contenteditable=true][role=textbox]") ?? root.querySelector(SEND_BUTTONS);
    target?.focus();
  },

  probe(root) {
    const sends = [...root.querySelectorAll(SEND_BUTTONS)].filter((button) => composeOf(button) === root);
    const fallbacks = sends.some((button) => !button.matches(SEND_BY_CLASS)) ? ["sendByTooltip"] : [];
    return { sends, primary: sends.filter((button) => !button.matches(".Uo")).length, to: root.querySelector(`${row("to")}, ${classicInput("to")}`), fallbacks };
  },

  noticeSlot(root) {
    // Inside the compose table (`.iN`), where InboxSDK's addComposeNotice
    // puts compose notices: right above the body and toolbar (`.aoP`).
    return slotAbove(root.querySelector(".iN .aoP") ?? root.querySelector("[g_editable=true]"));
  },
};

/**
 * The sender: the compose's From field (an alias), else the signed-in
 * account from the account button ("Google Account: Name (address)"), else
 * the document title's account part. The title is "<subject or folder> -
 * <account> - Gmail", and a subject may itself contain an address, so only
 * the part right before " - Gmail" counts: taking any address in the title
 * would let an email's subject make a stranger "internal".
 * @param {Element} root
 * @returns {string|null}
 */
function account(root) {
  const button = document.querySelector('a[aria-label*="@"][href*="accounts.google.com"], a[aria-label*="@"][aria-label^="Google"]');
  return accountAddress([
    /** @type {HTMLInputElement|null} */ (root.querySelector("input[name=from]"))?.value,
    button?.getAttribute("aria-label")?.match(/\(([^()\s]+@[^()\s]+)\)\s*$/)?.[1],
    document.title.match(/ - ([^\s]+@[^\s]+) - Gmail$/)?.[1],
  ]);
}

/**
 * Opens the recipient section of an inline reply, which Gmail collapses into
 * a "To: …" summary; its Cc/Bcc links are hidden until it is focused.
 * @param {Element} root
 */
function expandRecipients(root) {
  const summary = root.querySelector("div.aoD.hl");
  const links = root.querySelector(".fX.aiL");
  if (summary && (!links || getComputedStyle(links).display === "none")) {
    summary.dispatchEvent(new FocusEvent("focus"));
    summary.dispatchEvent(new FocusEvent("focusin", { bubbles: true }));
    simulateClick(summary);
  }
}

/**
 * The text entry of a field's row, opening the row (Cc/Bcc link) if Gmail
 * has not materialised it yet.
 * @param {Element} root
 * @param {"to"|"cc"|"bcc"} field
 * @returns {Promise<HTMLInputElement|HTMLTextAreaElement>}
 */
async function entryOf(root, field) {
  /** @returns {HTMLInputElement|HTMLTextAreaElement|null} */
  const find = () =>
    root.querySelector(`${row(field)} input[role=combobox], ${row(field)} input:not([type=hidden])`) ??
    root.querySelector(classicInput(field));
  let input = find();
  const visible = (el) => el && el.getClientRects().length > 0;
  if (!visible(input) && field !== "to") {
    const toggle = root.querySelector(TOGGLES[field]);
    if (toggle) simulateClick(toggle);
    input = await until(() => (visible(find()) ? find() : null), 1500);
  }
  if (!input) throw new Error(`Gmail's ${field.toUpperCase()} field could not be opened`);
  return input;
}

/**
 * Adds addresses to a field the way Gmail accepts them: a paste into the
 * row's input, which Gmail turns into chips. Gmail sometimes resets a fresh
 * compose's recipients asynchronously (InboxSDK works around the same), so
 * the chips are awaited and, if they vanish, pasted once more.
 * @param {Element} root
 * @param {"to"|"cc"|"bcc"} field
 * @param {string[]} addresses
 */
async function addRecipients(root, field, addresses) {
  const present = () => {
    const have = new Set(gmail.read(root).compose[field].map((e) => (e.address ?? e.text ?? "").toLowerCase()));
    return addresses.every((a) => have.has(a.toLowerCase()));
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    const input = await entryOf(root, field);
    if (input instanceof HTMLTextAreaElement) {
      // Classic UI: type into the text area and commit with Enter.
      const existing = input.value.trim();
      setInputValue(input, `${existing ? `${existing}, ` : ""}${addresses.join(", ")}, `);
      input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", keyCode: 13, which: 13, bubbles: true, cancelable: true }));
    } else {
      paste(input, addresses.join(", "));
    }
    if ((await until(present, 1500)) && (await stays(present, 150))) return;
  }
  throw new Error(`Gmail did not accept the new ${field.toUpperCase()} recipients`);
}

/**
 * A synthetic paste both browsers deliver with its text: Chromium reads the
 * standard `clipboardData`, Gecko only its own `dataType`/`data` members
 * (shared/research/firefox-e2e.md §5).
 * @param {HTMLInputElement} input
 * @param {string} text
 */
function paste(input, text) {
  input.focus();
  const data = new DataTransfer();
  data.setData("text/plain", text);
  input.dispatchEvent(
    // Gecko's members are not in the standard's dictionary, hence the cast.
    new ClipboardEvent("paste", /** @type {ClipboardEventInit} */ ({ bubbles: true, cancelable: true, clipboardData: data, dataType: "text/plain", data: text })),
  );
}

/**
 * Whether a condition still holds after a while (Gmail's reset comes late).
 * @param {() => boolean} condition
 * @param {number} ms
 */
async function stays(condition, ms) {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return condition();
}
