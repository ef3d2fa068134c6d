/**
 * @file Drift variants of the Gmail and Outlook fixtures: each one a
 * realistic change the live webmail could ship tomorrow, applied to the
 * fixture page after it is built, in the page's own world.
 *
 * A variant is the fixture's query parameters plus a transform, a function
 * written as page-side source and run once the fixture is ready. Before the
 * transform runs, `mark()` tags the elements the test drives (the Send
 * button, the body, the send-options button) with `data-drift-*`
 * attributes, found by the fixture's own selectors; the transforms keep
 * those attributes, which no adapter and no finder reads, so the test can
 * still press "the Send button" after its classes, ids or labels changed.
 *
 * The fixtures' own behaviour (their `__fixture` records of what was sent)
 * is bound to elements, not selectors, so it keeps working; styles are
 * carried over when classes are renamed (the page's style sheets are
 * rewritten through the CSSOM, which no CSP restricts).
 */

/**
 * Page-side helpers, defined once per page as `window.__drift`.
 * Every transform is a method of it, taking the compose root it works on.
 */
const HELPERS = String.raw`
window.__drift ??= (() => {
  const hash = (text) => {
    let h = 2166136261;
    for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    return "z" + (h >>> 0).toString(36);
  };
  /** Renames every class under root, and the page's selectors with it. */
  function hashClasses(root = document.body) {
    const names = new Map();
    for (const el of [root, ...root.querySelectorAll("[class]")]) {
      if (!el.classList?.length) continue;
      const renamed = [...el.classList].map((c) => {
        if (!names.has(c)) names.set(c, hash(c));
        return names.get(c);
      });
      el.setAttribute("class", renamed.join(" "));
    }
    const escape = (c) => c.replace(/[.*+?^$()|[\]\\{}]/g, "\\$&");
    const rewrite = (rules) => {
      for (const rule of rules) {
        if (rule.cssRules) rewrite(rule.cssRules);
        if (!rule.selectorText) continue;
        let text = rule.selectorText;
        for (const [from, to] of names) text = text.replace(new RegExp("\\." + escape(from) + "(?![\\w-])", "g"), "." + to);
        if (text !== rule.selectorText) rule.selectorText = text;
      }
    };
    for (const sheet of document.styleSheets) {
      try { rewrite(sheet.cssRules); } catch {}
    }
  }
  function removeIds(root = document.body) {
    for (const el of root.querySelectorAll("[id]")) el.removeAttribute("id");
  }
  const LABELS = ["aria-label", "data-tooltip", "title"];
  /** The Send button's role, labels and id move to a new wrapper around it. */
  function wrapSend(send) {
    const wrapper = document.createElement("div");
    wrapper.setAttribute("role", "button");
    wrapper.setAttribute("tabindex", send.getAttribute("tabindex") ?? "0");
    for (const name of LABELS) {
      if (send.hasAttribute(name)) wrapper.setAttribute(name, send.getAttribute(name));
      send.removeAttribute(name);
    }
    send.removeAttribute("role");
    send.removeAttribute("id");
    wrapper.setAttribute("data-drift-send", "1");
    send.removeAttribute("data-drift-send");
    send.replaceWith(wrapper);
    wrapper.append(send);
    // A key on the wrapper reaches the page's Send the way a framework would pass it on.
    wrapper.addEventListener("keydown", (event) => {
      if (event.target !== wrapper || event.ctrlKey || event.metaKey) return;
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        send.dispatchEvent(new KeyboardEvent("keydown", { key: event.key, code: event.code, keyCode: event.keyCode, bubbles: true, cancelable: true }));
      }
    });
    return wrapper;
  }
  /** A new label without the shortcut hint, new classes, no id. */
  function relabelSend(send, label) {
    for (const name of LABELS) if (send.hasAttribute(name)) send.setAttribute(name, label);
    if (!send.hasAttribute("aria-label")) send.setAttribute("aria-label", label);
    send.removeAttribute("id");
    send.setAttribute("class", [...send.classList].map((c) => c + "-v2").join(" "));
  }
  return { hashClasses, removeIds, wrapSend, relabelSend };
})();
`;

/**
 * Marks what the test drives, by the fixture's own selectors.
 * @param {{send: string, body: string, more: string}} selectors Page-side
 *   selector strings of the unchanged fixture.
 */
function marker({ send, body, more }) {
  return `(() => {
    document.querySelector(${JSON.stringify(send)})?.setAttribute("data-drift-send", "1");
    document.querySelector(${JSON.stringify(body)})?.setAttribute("data-drift-body", "1");
    document.querySelector(${JSON.stringify(more)})?.setAttribute("data-drift-more", "1");
  })()`;
}

/**
 * @typedef {object} Variant
 * @property {string} name
 * @property {string} change What it imitates, in words (the table's column).
 * @property {object} [params] Extra fixture parameters (e.g. `lang`).
 * @property {string} transform Page-side statements; `__drift` is defined,
 *   `send` is the marked Send button and `root` its compose root.
 */

/** The Gmail fixture's elements, as the unchanged page has them. */
export const GMAIL = {
  selectors: { send: ".IZ .Up div > div[role=button].aoO", body: "[g_editable=true]", more: ".IZ .Up .hG" },
  root: "[role=dialog]:has(form), .M9",
};

/** The Outlook fixture's elements, as the unchanged page has them. */
export const OUTLOOK = {
  selectors: { send: 'button[id$="__primaryActionButton"]', body: "[contenteditable=true][aria-multiline=true]", more: 'button[id$="__menuButton"]' },
  root: "[data-app-section]",
};

/** @type {Variant[]} */
export const GMAIL_VARIANTS = [
  { name: "unchanged", change: "today's fixture", transform: "" },
  { name: "classes-hashed", change: "every class renamed to a hash (styles follow)", transform: "__drift.hashClasses();" },
  { name: "ids-removed", change: "every id removed", transform: "__drift.removeIds();" },
  { name: "send-wrapped", change: "Send's role and labels moved to a new wrapper", transform: "__drift.wrapSend(send);" },
  { name: "send-relabelled", change: "Send relabelled 'Send now', no shortcut hint, new classes", transform: "__drift.relabelSend(send, 'Send now');" },
  {
    name: "other-container",
    change: "the compose in a region instead of a dialog, its .M9 renamed",
    transform: `for (const el of root.querySelectorAll(".M9")) el.classList.replace("M9", "M9x");
      if (root.getAttribute("role") === "dialog") root.setAttribute("role", "region");`,
  },
  {
    name: "recipient-row",
    change: "the recipient rows' class and name attribute changed",
    transform: `for (const row of root.querySelectorAll("div.anm[name]")) { row.setAttribute("data-field", row.getAttribute("name")); row.removeAttribute("name"); row.classList.replace("anm", "anm2"); }`,
  },
  { name: "japanese-hashed", change: "the page in Japanese, every class hashed", params: { lang: "ja" }, transform: "__drift.hashClasses();" },
];

/** @type {Variant[]} */
export const OUTLOOK_VARIANTS = [
  { name: "unchanged", change: "today's fixture", transform: "" },
  { name: "classes-hashed", change: "every class renamed to a hash (styles follow)", transform: "__drift.hashClasses();" },
  { name: "ids-removed", change: "every id removed (Send's and the wells' groups')", transform: "__drift.removeIds();" },
  { name: "send-wrapped", change: "Send's labels and id moved to a new wrapper", transform: "__drift.wrapSend(send);" },
  { name: "send-relabelled", change: "Send relabelled 'Send now', no shortcut hint, no id", transform: "__drift.relabelSend(send, 'Send now');" },
  {
    name: "other-container",
    change: "data-app-section gone: the compose in a plain section",
    transform: `root.removeAttribute("data-app-section"); root.setAttribute("role", "region");
      for (const other of document.querySelectorAll("[data-app-section]")) other.removeAttribute("data-app-section");`,
  },
  {
    name: "recipient-row",
    change: "recipient groups lose role and id suffix",
    transform: `for (const group of root.querySelectorAll("[role=group][id]")) { group.removeAttribute("role"); group.id = group.id.replace(/_(TO|CC|BCC)$/, "_$1_row"); }`,
  },
  { name: "japanese-ids-removed", change: "the page in Japanese, every id removed", params: { lang: "ja" }, transform: "__drift.removeIds();" },
];

/**
 * The page-side program that applies a variant to a built fixture.
 * @param {{selectors: object, root: string}} webmail GMAIL or OUTLOOK.
 * @param {Variant} variant
 * @returns {string}
 */
export function driftProgram(webmail, variant) {
  return `(() => {
    ${HELPERS}
    ${marker(webmail.selectors)};
    const send = document.querySelector("[data-drift-send]");
    const root = send?.closest(${JSON.stringify(webmail.root)}) ?? document.body;
    ${variant.transform}
    return true;
  })()`;
}

/** Page expressions for what the test drives after the transform. */
export const DRIVEN = {
  send: `document.querySelector("[data-drift-send]")`,
  body: `document.querySelector("[data-drift-body]")`,
  more: `document.querySelector("[data-drift-more]")`,
  /** The "Schedule send" item, by its text (classes may be gone). */
  schedule: `[...document.querySelectorAll("[role=menuitem]")].find((item) => /^(schedule send|send later|送信日時を設定|送信のスケジュール設定|後で送信)$/i.test(item.textContent.trim()))`,
};

/**
 * The webmail tab's badge and composes, asked from an extension page: the
 * tab is the one whose content script answers `status`.
 */
export const TAB_STATE = `(async () => {
  const api = globalThis.browser ?? chrome;
  for (const tab of await api.tabs.query({})) {
    let status;
    try { status = await api.tabs.sendMessage(tab.id, { kind: "status" }); } catch { continue; }
    if (!status?.host) continue;
    return { tabId: tab.id, badge: await api.action.getBadgeText({ tabId: tab.id }), title: await api.action.getTitle({ tabId: tab.id }), composes: status.composes };
  }
  return null;
})()`;
