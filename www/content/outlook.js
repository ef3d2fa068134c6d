/**
 * @file The Outlook on the web adapter (outlook.office.com,
 * outlook.office365.com, outlook.live.com, outlook.cloud.microsoft).
 *
 * OWA is harder than Gmail: the recipient wells are roosterjs editors, chips
 * are `_EType_RECIPIENT_ENTITY` entities whose visible text is often only a
 * display name, and its selectors have changed several times a year (see
 * shared/research/webmail-dom.md §3). So every step has several strategies,
 * tried in order, each covered by a fixture variant in tests/. When all fail
 * the adapter says so — the compose is marked incomplete, or the move leaves
 * the recipients for the user to fix — and the guard warns. It never falls
 * back to "unprotected".
 */

import { accountAddress } from "../lib/account.js";
import { pageHost, simulateClick, slotAbove, until } from "./dom.js";
import { FIELDS, additions, changedEntries } from "../lib/moves.js";

/** Compose roots: docked in the reading pane, or the full-page / pop-out form. */
const COMPOSE_ROOTS = '[data-app-section="MailCompose"], [data-app-section="Form_Content"]';

/**
 * The Send button, language-independent first: its id always ends in
 * `__primaryActionButton`; then the shortcut in its tooltip; then the
 * localised label.
 */
const SEND_STRATEGIES = [
  'button[id$="__primaryActionButton"]',
  'button[title*="Ctrl+Enter"]',
  'button[aria-label="Send"]',
  'button[aria-label="送信"]',
];
const SEND_BUTTONS = SEND_STRATEGIES.join(", ");

/*
 * Send-options choices and the access key (docs/send-paths.md has the
 * sources and how sure each is). The Send split button's menu half
 * (`…__menuButton`) opens a Fluent menu rendered at the end of the page, with
 * "Schedule send" (older layouts: "Send later"); that opens a dialog of
 * suggested times and "Custom time", whose date-and-time form confirms with
 * "Send". The menu's owner is the compose whose menu button is expanded; the
 * dialog names no compose, so its choices are checked against every open one.
 */
const MENU_BUTTONS = 'button[id$="__menuButton"]';
/** The menu items that lead to a send, by label (the fallback when no menu button is expanded). */
const SCHEDULE_LABELS = ["schedule send", "send later", "送信のスケジュール設定", "後で送信"];
/** Buttons of the schedule dialog that do not send by themselves. */
const NOT_SENDING = ["custom time", "cancel", "close", "back", "ユーザー設定の時刻", "キャンセル", "閉じる", "戻る"];

/** Group ids end in the field, whatever the UI language. */
const GROUP_SUFFIX = { to: "_TO", cc: "_CC", bcc: "_BCC" };

/** Labels of the wells and toggles, for the fallbacks (English and Japanese). */
const LABELS = { to: ["to", "宛先"], cc: ["cc"], bcc: ["bcc"] };

const CHIP = "._EType_RECIPIENT_ENTITY";

/**
 * The compose root of an element, if it is in one.
 * @param {EventTarget|null} target
 * @returns {Element|null}
 */
function composeOf(target) {
  const element = target instanceof Element ? target : target instanceof Node ? target.parentElement : null;
  if (!element) return null;
  const root = element.closest(COMPOSE_ROOTS);
  if (root) return root;
  // The structural fallback is only for an OWA whose compose roots no longer
  // carry data-app-section; while any does, it would only cost time.
  if (element.ownerDocument.querySelector(COMPOSE_ROOTS)) return null;
  for (let node = element; node && node !== node.ownerDocument.documentElement; node = node.parentElement) {
    const sends = node.querySelectorAll(SEND_BUTTONS);
    if (sends.length === 0 || !wellOf(node, "to")) continue;
    // The first ancestor holding a Send button and a To well is the compose
    // only if it is that Send button's own smallest such container; a larger
    // one (the whole app, reached from the search box or a chat panel) is not,
    // and a key or click there must never send the compose.
    return sends.length === 1 && smallestCompose(sends[0]) === node ? node : null;
  }
  return null;
}

/**
 * The smallest ancestor of a Send button that holds a To well.
 * @param {Element} send
 * @returns {Element|null}
 */
function smallestCompose(send) {
  for (let node = send.parentElement; node; node = node.parentElement) {
    if (wellOf(node, "to")) return node;
  }
  return null;
}

/**
 * The editable well of a field, by strategy: the group whose id ends in
 * `_TO`/`_CC`/`_BCC`; else a single-line editable labelled for the field.
 * @param {Element} root
 * @param {"to"|"cc"|"bcc"} field
 * @returns {HTMLElement|null}
 */
function wellOf(root, field) {
  /** @type {HTMLElement|null} */
  const group = root.querySelector(`[role=group][id$="${GROUP_SUFFIX[field]}"]`);
  if (group) {
    return group.matches("[contenteditable=true]") ? group : group.querySelector("[contenteditable=true]");
  }
  for (const editable of root.querySelectorAll("[contenteditable=true]:not([aria-multiline=true])")) {
    const label = (editable.getAttribute("aria-label") ?? "").trim().toLowerCase();
    if (LABELS[field].includes(label)) return /** @type {HTMLElement} */ (editable);
  }
  return null;
}

/**
 * The texts of a chip that may state its address, in the order they are read.
 * @param {Element} chip
 * @returns {Array<string|null|undefined>}
 */
function chipTexts(chip) {
  return [
    chip.getAttribute("aria-label"),
    chip.getAttribute("title"),
    ...[...chip.querySelectorAll("[title]")].map((e) => e.getAttribute("title")),
    chip.querySelector('[class*="textContainer"], [class*="individualText"]')?.textContent,
  ];
}

/**
 * The address a chip stands for. Outlook puts it in different places — the
 * chip's `aria-label` as the bare address or as `Name <address>`, a `title`,
 * or the visible text when there is no name — and presence text ("Available")
 * around it. Every place is read; an address counts only as a whole value or
 * inside angle brackets (never an address-like word inside a name), and if
 * two places disagree the chip is unreadable: a wrong address would be moved,
 * verified and sent to the wrong person, whereas an unreadable chip is shown
 * to the user.
 * @param {Element} chip
 * @returns {string|null}
 */
function chipAddress(chip) {
  const found = new Map();
  for (const text of chipTexts(chip)) {
    const address = addressIn(text);
    if (address && !found.has(address.toLowerCase())) found.set(address.toLowerCase(), address);
  }
  return found.size === 1 ? [...found.values()][0] : null;
}

/**
 * Whether a chip shows no address at all, in any of the places an address
 * is looked for: a contact group or distribution list looks like that (OWA
 * sends to its members, whom the page does not list), and so does a person
 * whose address OWA does not show. Either way BCC Guard cannot see whom it
 * reaches, so in To or Cc the compose is read as incomplete. A chip whose
 * places name two different addresses is not one of these: it is only
 * unreadable (`chipAddress`).
 * @param {Element} chip
 * @returns {boolean}
 */
function showsNoAddress(chip) {
  return !chipTexts(chip).some((text) => text?.includes("@"));
}

/**
 * The address a text states: what is inside its last `<…>`, or the whole
 * text when it is one word with one `@`. Anything else states none.
 * @param {string|null|undefined} text
 * @returns {string|null}
 */
function addressIn(text) {
  const value = text?.trim();
  if (!value) return null;
  const angle = value.match(/<([^<>]*@[^<>]*)>\s*$/);
  if (angle) return angle[1].trim();
  return /^[^\s<>@]+@[^\s<>@]+$/.test(value) ? value : null;
}

/** The display name a chip shows. */
function chipName(chip) {
  const text = chip.querySelector('[class*="textContainer"], [class*="individualText"]')?.textContent?.trim();
  return text || null;
}

/**
 * The well's loose text: what is typed but not yet resolved into a chip.
 * @param {Element} well
 * @returns {Text[]}
 */
function looseTextNodes(well) {
  const nodes = [];
  const walker = document.createTreeWalker(well, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement?.closest(CHIP)) nodes.push(/** @type {Text} */ (node));
  }
  return nodes;
}

const cleanText = (text) => text.replace(/\u200b/g, "").trim();

/**
 * Every open compose of this document.
 * @param {Document} doc
 * @returns {Element[]}
 */
function openComposes(doc) {
  const roots = [...doc.querySelectorAll(COMPOSE_ROOTS)].filter((root) => wellOf(root, "to"));
  if (roots.length > 0) return roots;
  // The structural strategy, for an OWA without data-app-section.
  const found = new Set();
  for (const send of doc.querySelectorAll(SEND_BUTTONS)) {
    const root = composeOf(send);
    if (root) found.add(root);
  }
  return [...found];
}

/** The label an element shows. */
const labelOf = (element) => (element.getAttribute("aria-label") || element.textContent || "").trim().toLowerCase();

/**
 * A send-options choice the event makes, if any: an item of the Send
 * button's menu, or a sending button of the schedule dialog.
 * @param {import("./adapters.js").UserInput} event
 * @param {Element} target
 * @returns {{roots: Element[], choice: {element: Element, label: string, owner: Element|null}}|null}
 */
function sendOptionsTarget(event, target) {
  const activation =
    event.type === "click"
      ? event.button === 0
      : event.type === "keydown" && (event.key === "Enter" || event.key === " ") && !event.ctrlKey && !event.metaKey && !event.altKey;
  if (!activation) return null;
  const doc = target.ownerDocument;
  const item = target.closest("[role=menuitem], [role=menuitemradio], [role=menuitemcheckbox]");
  if (item) {
    // Strategies: the menu of an expanded Send menu button; a label.
    const expanded = [...doc.querySelectorAll(`${MENU_BUTTONS}[aria-expanded="true"]`)].map((b) => composeOf(b)).filter(Boolean);
    const own = composeOf(item);
    const inSendMenu = item.closest("[role=menu]") && expanded.length > 0 && (!own || expanded.includes(own));
    if (!inSendMenu && !SCHEDULE_LABELS.includes(labelOf(item))) return null;
    const owner = own ?? (expanded.length === 1 ? expanded[0] : null);
    const roots = owner ? [owner] : openComposes(doc);
    return roots.length > 0 ? { roots, choice: { element: item, label: labelOf(item), owner } } : null;
  }
  const button = target.closest("button, [role=button]");
  const dialog = button?.closest("[role=dialog]");
  if (!dialog || composeOf(dialog) || !isScheduleDialog(dialog)) return null;
  const label = labelOf(button);
  if (!label || NOT_SENDING.includes(label) || button.getAttribute("aria-haspopup")) return null;
  const roots = openComposes(doc);
  return roots.length > 0 ? { roots, choice: { element: button, label, owner: null } } : null;
}

/**
 * Whether a dialog is OWA's schedule dialog: its title (or label) is a
 * schedule label.
 * @param {Element} dialog
 */
function isScheduleDialog(dialog) {
  const labelledBy = dialog.getAttribute("aria-labelledby");
  const title = labelledBy ? dialog.ownerDocument.getElementById(labelledBy) : null;
  const candidates = [
    title?.textContent,
    title?.querySelector("h1, h2, h3, [role=heading]")?.textContent,
    dialog.getAttribute("aria-label"),
    dialog.querySelector("h1, h2, h3, [role=heading]")?.textContent,
  ];
  return candidates.some((text) => SCHEDULE_LABELS.includes((text ?? "").trim().toLowerCase()));
}

/**
 * Alt+S in a compose: Outlook's access key for Send in some layouts. Whether
 * today's OWA sends on it is not verified, so it is checked like a send, and
 * when nothing is exposed the key itself is handed back (see `replaySend`),
 * so that a key which does nothing still does nothing.
 * @param {KeyboardEvent} event
 */
const isAccessKeySend = (event) =>
  event.altKey && !event.ctrlKey && !event.metaKey && (event.code === "KeyS" || event.key === "s" || event.key === "S");

/** @type {import("./adapters.js").Adapter} */
export const outlook = {
  name: "outlook",

  sendTarget(event) {
    const first = event.composedPath()[0];
    const target = first instanceof Element ? first : event.target instanceof Element ? event.target : null;
    if (!target) return null;
    const options = sendOptionsTarget(event, target);
    if (options) return options;
    if (event.type === "keydown" && isAccessKeySend(/** @type {KeyboardEvent} */ (event))) {
      const root = composeOf(target);
      const { key, code, shiftKey } = /** @type {KeyboardEvent} */ (event);
      return root ? { root, via: { accessKey: { key, code, shiftKey }, target } } : null;
    }
    if (event.type === "click") {
      const button = target.closest(SEND_BUTTONS);
      const root = button && composeOf(button);
      return root ? { root, via: "send" } : null;
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
      return root ? { root, via: "send" } : null;
    }
    return null;
  },

  composeOf,

  read(root) {
    const compose = { account: account(root), host: pageHost(), complete: false, to: [], cc: [], bcc: [] };
    const elements = { to: [], cc: [], bcc: [] };
    let reachUnknown = false;
    for (const field of FIELDS) {
      const well = wellOf(root, field);
      if (!well) continue;
      if (field === "to") compose.complete = true;
      for (const chip of well.querySelectorAll(CHIP)) {
        compose[field].push({ name: chipName(chip), address: chipAddress(chip) });
        elements[field].push(chip);
        if (field !== "bcc" && showsNoAddress(chip)) reachUnknown = true;
      }
      const typed = cleanText(looseTextNodes(well).map((n) => n.data).join(" "));
      if (typed) {
        compose[field].push({ text: typed });
        elements[field].push(well);
      }
    }
    if (reachUnknown) compose.complete = false;
    return { compose, elements };
  },

  async applyPlan(root, plan, read, recipients) {
    await expandHeader(root);
    for (const [field, addresses] of additions(plan, recipients)) await addRecipients(root, field, addresses);
    for (const { field, entry, staying } of changedEntries(plan, recipients)) {
      const element = read.elements[field][entry];
      if (!element?.isConnected) continue;
      if (element.matches(CHIP)) {
        // As in Gmail: whatever else a chip held is written back before it goes.
        if (staying.length) await addRecipients(root, field, staying);
        await removeChip(element);
      } else replaceLooseText(element, staying.join(", "));
    }
  },

  async commitTyped(root) {
    // Outlook resolves typed addresses into chips when the focus leaves a
    // well; the move would move the focus, so resolve them first, with the
    // separator OWA itself reacts to, and let the plan be made afresh.
    for (const field of FIELDS) {
      const well = wellOf(root, field);
      if (!well || !cleanText(looseTextNodes(well).map((n) => n.data).join("")).includes("@")) continue;
      placeCaretAtEnd(well);
      well.ownerDocument.execCommand("insertText", false, ",");
      await until(() => !cleanText(looseTextNodes(well).map((n) => n.data).join("")).replace(/[,;]/g, "").includes("@"), 1000);
    }
  },

  replaySend(root, via, confirmed) {
    if (via?.accessKey && !confirmed) {
      // Nothing to warn about: the key goes on as pressed, whatever OWA does with it.
      const target = via.target.isConnected ? via.target : root;
      const init = { ...via.accessKey, altKey: true, bubbles: true, cancelable: true, composed: true };
      target.dispatchEvent(new KeyboardEvent("keydown", init));
      target.dispatchEvent(new KeyboardEvent("keyup", init));
      return true;
    }
    const button = root.querySelector(SEND_BUTTONS);
    if (!button) return false;
    simulateClick(button);
    return true;
  },

  replayChoice({ element, label, owner }) {
    let again = element.isConnected ? element : null;
    if (!again && owner?.isConnected) {
      // The menu closed meanwhile: open it again and choose the same item.
      const menuButton = owner.querySelector(MENU_BUTTONS);
      if (menuButton) simulateClick(menuButton);
      again = [...owner.ownerDocument.querySelectorAll("[role=menu] [role=menuitem]")].find((item) => labelOf(item) === label) ?? null;
    }
    if (!again) return false;
    simulateClick(again);
    return true;
  },

  focus(root) {
    /** @type {HTMLElement|null} */
    const target = root.querySelector("[contenteditable=true][aria-multiline=true]") ?? root.querySelector(SEND_BUTTONS);
    target?.focus();
  },

  probe(root) {
    const sends = [...root.querySelectorAll(SEND_BUTTONS)].filter((button) => composeOf(button) === root);
    const to = wellOf(root, "to");
    const fallbacks = [];
    if (!root.matches(COMPOSE_ROOTS)) fallbacks.push("structuralRoot");
    if (to && !to.closest(`[role=group][id$="${GROUP_SUFFIX.to}"]`)) fallbacks.push("toByLabel");
    if (sends.some((button) => !button.matches(SEND_STRATEGIES[0]))) fallbacks.push("sendByLabel");
    return { sends, primary: sends.length, to, fallbacks };
  },

  noticeSlot(root) {
    // Above the body editor's container, near where Outlook draws its MailTips.
    return slotAbove(root.querySelector('[id^="editorParent_"]') ?? root.querySelector("[contenteditable=true][aria-multiline=true]"));
  },
};

/**
 * The sender: the compose's From button, else the account control (in the
 * parent page for a pop-out frame). Never the page title: a pop-out's title
 * is the subject, and a subject naming a partner's address would make the
 * partner's organisation internal. No sender found means no organisation is
 * known, so every recipient counts as external (the engine says so).
 * @param {Element} root
 * @returns {string|null}
 */
function account(root) {
  return accountAddress([
    root.querySelector('button[aria-label^="From"], button[aria-label^="差出人"]')?.textContent,
    document.querySelector("#mectrl_currentAccount_secondary")?.textContent,
    window.top === window ? null : safeTopAccount(),
  ]);
}

/** In the pop-out frame, the account control lives in the parent page. */
function safeTopAccount() {
  try {
    return window.parent.document.querySelector("#mectrl_currentAccount_secondary")?.textContent ?? null;
  } catch {
    return null;
  }
}

/**
 * Expands an inline reply's collapsed header, which hides the wells and the
 * Cc/Bcc toggles until it gets focus (Briskine does the same).
 * @param {Element} root
 */
async function expandHeader(root) {
  // Strategies: Briskine's structural selector, then a class name.
  const collapsed =
    root.querySelector('[id*="docking_InitVisiblePart"] div[tabindex]:nth-child(2):not([role="button"])') ??
    root.querySelector('[class*="collapsedHeader"]');
  if (!collapsed || collapsed.getClientRects().length === 0) return;
  collapsed.dispatchEvent(new FocusEvent("focusin", { bubbles: true }));
  simulateClick(collapsed);
  await until(() => collapsed.getClientRects().length === 0 || !collapsed.isConnected, 1000);
}

/**
 * The Cc or Bcc toggle, by strategy: a button whose text or label is exactly
 * the field's name (the same in most languages), else the toggles' container
 * in order (Cc first, Bcc second).
 * @param {Element} root
 * @param {"cc"|"bcc"} field
 * @returns {HTMLElement|null}
 */
function toggleOf(root, field) {
  const buttons = [...root.querySelectorAll("button")];
  const named = buttons.find((b) => {
    const names = [b.textContent, b.getAttribute("aria-label")].map((t) => (t ?? "").trim().toLowerCase());
    return names.includes(field);
  });
  if (named) return named;
  const group = root.querySelectorAll(".fui-Input button");
  return /** @type {HTMLElement|null} */ (group.length === 2 ? group[field === "cc" ? 0 : 1] : null);
}

/**
 * The field's well, opening it with its toggle when hidden.
 * @param {Element} root
 * @param {"to"|"cc"|"bcc"} field
 */
async function openWell(root, field) {
  const visible = () => {
    const well = wellOf(root, field);
    return well && well.getClientRects().length > 0 ? well : null;
  };
  if (visible()) return visible();
  const toggle = field === "to" ? null : toggleOf(root, field);
  if (toggle) simulateClick(toggle);
  const well = await until(visible, 1500);
  if (!well) throw new Error(`Outlook's ${field.toUpperCase()} field could not be opened`);
  return well;
}

/**
 * Adds addresses the way Outlook accepts typed recipients: the caret at the
 * end of the well, `insertText`, and a separator that makes OWA resolve the
 * text into a chip. Then waits for the chips.
 * @param {Element} root
 * @param {"to"|"cc"|"bcc"} field
 * @param {string[]} addresses
 */
async function addRecipients(root, field, addresses) {
  const well = await openWell(root, field);
  placeCaretAtEnd(well);
  // Text typed before the caret would run into the new address
  // ("dana" + "a@b.example," is one token), so close it off first.
  const before = cleanText(looseTextNodes(well).map((node) => node.data).join(""));
  if (before && !/[,;]$/.test(before)) well.ownerDocument.execCommand("insertText", false, ",");
  for (const address of addresses) {
    well.ownerDocument.execCommand("insertText", false, `${address},`);
  }
  const present = () => {
    const have = new Set([...well.querySelectorAll(CHIP)].map((chip) => chipAddress(chip)?.toLowerCase()));
    return addresses.every((a) => have.has(a.toLowerCase()));
  };
  if (!(await until(present, 2000))) {
    throw new Error(`Outlook did not accept the new ${field.toUpperCase()} recipients`);
  }
}

/**
 * Focuses a well with the caret after its last chip or text.
 * @param {HTMLElement} well
 */
function placeCaretAtEnd(well) {
  well.focus();
  const doc = well.ownerDocument;
  const range = doc.createRange();
  range.selectNodeContents(well);
  range.collapse(false);
  const selection = doc.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

/**
 * Removes a chip through Outlook itself, by strategy: its remove control;
 * else selecting it and deleting with an editor command, so that the
 * editor's model sees the change (removing the node behind its back would
 * not).
 * @param {Element} chip
 */
async function removeChip(chip) {
  const control = chip.querySelector('[role=button][aria-label], [class*="remove"]');
  if (control) {
    simulateClick(control);
    if (await until(() => !chip.isConnected, 500)) return;
  }
  const doc = chip.ownerDocument;
  /** @type {HTMLElement|null} */
  const well = chip.closest("[contenteditable=true]");
  well?.focus();
  const range = doc.createRange();
  range.selectNode(chip);
  const selection = doc.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  doc.execCommand("delete");
  await until(() => !chip.isConnected, 500);
}

/**
 * Replaces the well's loose (typed) text with `text`, through the editor.
 * @param {Element} well
 * @param {string} text
 */
function replaceLooseText(well, text) {
  const nodes = looseTextNodes(well).filter((node) => cleanText(node.data));
  if (nodes.length === 0) return;
  const doc = well.ownerDocument;
  const range = doc.createRange();
  range.setStart(nodes[0], 0);
  const last = nodes.at(-1);
  range.setEnd(last, last.length);
  const selection = doc.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  if (text) doc.execCommand("insertText", false, text);
  else doc.execCommand("delete");
}
