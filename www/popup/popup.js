/**
 * @file The toolbar popup: is this tab protected — each open compose's real
 * state as the guard in the tab sees it (checked, checked with a fallback,
 * not protected: content/health.js) — which domains count as internal, and
 * the local counters (numbers only) with a reset button.
 */

import { ext, message } from "../lib/browser.js";
import { askEngine } from "../lib/engine-client.js";
import { localize } from "../lib/i18n-dom.js";
import { readStats, resetStats, STAT_NAMES } from "../lib/stats.js";
import { renderOrigins } from "../lib/origin-list.js";
import { originStatuses } from "../lib/webmail-origins.js";

/**
 * The webmail of the active tab, as its content script reports it, or null
 * where no content script runs (not a webmail page). Asking the page needs
 * no "tabs" permission.
 * @returns {Promise<{host: string, webmail: string, tabId: number, composes?: Array<{state: string, parties: number, focused: boolean}>}|null>}
 */
async function activeWebmail() {
  try {
    // `?tab=<id>` shows another tab's state: the popup opened as a page
    // (automated tests, an admin's QA script) is itself the active tab.
    const asked = Number(new URLSearchParams(location.search).get("tab"));
    const tabId = Number.isInteger(asked) && asked > 0 ? asked : (await ext().tabs.query({ active: true, currentWindow: true }))[0].id;
    const reply = await ext().tabs.sendMessage(tabId, { kind: "status" });
    return typeof reply?.host === "string" ? { ...reply, tabId } : null;
  } catch {
    return null;
  }
}

/**
 * Whether this is the Thunderbird build, which guards every send through its
 * send hook rather than webmail tabs.
 * @returns {boolean}
 */
function inThunderbird() {
  return typeof ext().compose?.onBeforeSend?.addListener === "function";
}

/** The admin's webmail origins the browser has not granted yet, with a one-click grant. */
async function showPendingOrigins() {
  const pending = (await originStatuses()).filter((s) => s.policy && !s.granted);
  document.getElementById("pending").hidden = pending.length === 0;
  renderOrigins(document.getElementById("pendingOrigins"), pending, { granted: () => showPendingOrigins() });
}

/**
 * Copies the focused compose's censored skeleton (content/diagnostic.js),
 * for a bug report: nothing is sent anywhere.
 * @param {number|undefined} tabId
 */
async function copyDiagnostic(tabId) {
  if (tabId === undefined) return;
  const reply = await ext().tabs.sendMessage(tabId, { kind: "diagnostic" }).catch(() => null);
  if (typeof reply?.text !== "string") return;
  document.documentElement.dataset.diagnostic = String(reply.text.length);
  await navigator.clipboard.writeText(reply.text).catch(() => {});
  document.getElementById("diagnosticNote").hidden = false;
}

/** What each compose state is called. */
const COMPOSE_STATES = { ok: "popup_composeOk", degraded: "popup_composeDegraded", blind: "popup_composeBlind" };

/**
 * Each open compose's real state, and the status line from the worst of
 * them: the host alone says nothing about whether a compose can be read.
 * @param {HTMLElement} status
 * @param {Array<{state: string}>} composes
 */
function showComposes(status, composes) {
  const known = composes.filter((compose) => compose.state in COMPOSE_STATES);
  document.getElementById("composesSection").hidden = known.length === 0;
  document.getElementById("composes").replaceChildren(
    ...known.map((compose) => Object.assign(document.createElement("li"), { textContent: message(COMPOSE_STATES[compose.state]) })),
  );
  for (const [index, item] of [...document.getElementById("composes").children].entries()) item.setAttribute("data-state", known[index].state);
  if (known.length === 0) {
    status.textContent = message("popup_noComposes");
    return;
  }
  const worst = ["blind", "degraded", "ok"].find((state) => known.some((compose) => compose.state === state));
  status.dataset.state = worst === "blind" ? "blind" : "active";
  status.textContent = message(COMPOSE_STATES[worst]);
}

async function showCounters() {
  const stats = await readStats();
  for (const name of STAT_NAMES) document.getElementById(`count-${name}`).textContent = String(stats[name]);
}

async function main() {
  localize(document);
  const [tab, reply] = await Promise.all([activeWebmail(), askEngine({ kind: "policy" })]);
  const host = tab?.host ?? null;
  const status = document.getElementById("status");
  if (!reply.ok) {
    status.textContent = message("popup_engineUnavailable");
  } else {
    const { settings, problems } = reply.policy;
    if (inThunderbird()) {
      status.dataset.state = "active";
      status.textContent = message("popup_thunderbird");
    } else {
      // A self-hosted webmail's script runs only where protection was asked
      // for and granted; the built-in hosts follow the protectedHosts setting.
      const active = host !== null && (tab.webmail === "roundcube" || settings.protectedHosts.includes(host));
      status.dataset.state = active ? "active" : "inactive";
      status.textContent = active ? message("popup_active", [host]) : host ? message("popup_notProtected", [host]) : message("popup_notWebmail");
      if (active) showComposes(status, Array.isArray(tab.composes) ? tab.composes : []);
    }
    const list = document.getElementById("internal");
    const domains = settings.internalDomains.length ? settings.internalDomains : [message("popup_accountDomain")];
    list.replaceChildren(...domains.map((domain) => Object.assign(document.createElement("li"), { textContent: domain })));
    const managed = problems.filter((p) => p.layer === "managed").length;
    const problemsLine = document.getElementById("problems");
    problemsLine.hidden = managed === 0;
    problemsLine.textContent = message("popup_policyProblems", [managed]);
  }
  // Thunderbird has no webmail origins to grant.
  await Promise.all([showCounters(), inThunderbird() ? null : showPendingOrigins()]);
  document.getElementById("reset").addEventListener("click", async () => {
    await resetStats();
    await showCounters();
  });
  document.getElementById("options").addEventListener("click", () => ext().runtime.openOptionsPage());
  document.getElementById("diagnostic").addEventListener("click", () => copyDiagnostic(tab?.tabId));
  document.documentElement.dataset.ready = "1";
}

main();
