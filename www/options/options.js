/**
 * @file The options page. It runs the engine's WASM directly (extension pages
 * may) to show the effective settings, to lock what the organisation set,
 * and to validate every change live with the same Rust validator the
 * background uses. Valid settings are saved to `storage.sync`.
 */

import init, { Engine } from "../pkg/bcc_guard.js";
import { callEngine } from "../lib/engine-host.js";
import { PROTOCOL_VERSION } from "../lib/engine-client.js";
import { ext, message } from "../lib/browser.js";
import { SUPPORTED_HOSTS } from "../lib/hosts.js";
import { localize } from "../lib/i18n-dom.js";
import { readPolicyLayers, USER_SETTINGS_KEY, writeUserSettings } from "../lib/settings.js";
import { renderOrigins } from "../lib/origin-list.js";
import {
  grantOrigin,
  invalidOrigins,
  originStatuses,
  parseOrigin,
  POLICY_ORIGINS_KEY,
  readPolicyOriginsRaw,
  removeOrigin,
  USER_ORIGINS_KEY,
} from "../lib/webmail-origins.js";

// Its controls are reached by name (`form.elements.minExposedParties`), which
// the DOM's types do not know.
const form = /** @type {HTMLFormElement & {elements: Record<string, any>}} */ (document.getElementById("settings"));
const LIST_KEYS = ["internalDomains", "trustedDomains", "consumerDomains"];

/** The keys the organisation locked, as last rendered. */
let locked = new Set();

/**
 * One field's value from the form, in the stored format.
 * @param {string} key
 */
function fieldValue(key) {
  if (LIST_KEYS.includes(key)) {
    return form.elements[key].value.split("\n").map((line) => line.trim()).filter(Boolean);
  }
  switch (key) {
    case "minExposedParties":
      return form.elements.minExposedParties.value.trim();
    case "allowSendAnyway":
    case "composeNotice":
      return form.elements[key].checked;
    case "toPlaceholder": {
      const choice = form.elements.toPlaceholderChoice.value;
      return choice === "address" ? form.elements.toPlaceholderAddress.value.trim() : choice;
    }
    case "protectedHosts":
      return SUPPORTED_HOSTS.filter((host) => hostBox(host).checked);
    default:
      return form.elements[key].value;
  }
}

/**
 * The check box of a protected host.
 * @param {string} host
 * @returns {HTMLInputElement}
 */
function hostBox(host) {
  return /** @type {HTMLInputElement} */ (document.getElementById(`host-${host}`));
}

/** The user's draft: every field the organisation did not lock. */
function draft() {
  const keys = [...form.querySelectorAll(".field[data-key]")].map((field) => field.getAttribute("data-key"));
  return Object.fromEntries(keys.filter((key) => !locked.has(key)).map((key) => [key, fieldValue(key)]));
}

/**
 * Fills the form from the effective settings.
 * @param {object} settings
 */
function fill(settings) {
  for (const key of LIST_KEYS) form.elements[key].value = settings[key].join("\n");
  form.elements.minExposedParties.value = String(settings.minExposedParties);
  form.elements.action.value = settings.action;
  form.elements.allowSendAnyway.checked = settings.allowSendAnyway;
  form.elements.composeNotice.checked = settings.composeNotice;
  form.elements.moveStrategy.value = settings.moveStrategy;
  form.elements.whenBlind.value = settings.whenBlind;
  const placeholder = settings.toPlaceholder;
  const keyword = placeholder === "sender" || placeholder === "none";
  form.elements.toPlaceholderChoice.value = keyword ? placeholder : "address";
  form.elements.toPlaceholderAddress.value = keyword ? "" : placeholder;
  for (const host of SUPPORTED_HOSTS) {
    hostBox(host).checked = settings.protectedHosts.includes(host);
  }
}

/** Marks locked fields read-only with "Set by your organisation". */
function showLocks() {
  for (const field of form.querySelectorAll(".field[data-key]")) {
    const isLocked = locked.has(field.getAttribute("data-key"));
    field.classList.toggle("is-locked", isLocked);
    for (const control of /** @type {NodeListOf<HTMLInputElement>} */ (field.querySelectorAll("input, select, textarea"))) control.disabled = isLocked;
    field.querySelector(".locked")?.remove();
    if (isLocked) {
      const note = document.createElement("p");
      note.className = "locked";
      note.textContent = message("options_locked");
      field.append(note);
    }
  }
}

/**
 * The text of one problem, e.g. "Line 2: “co.jp” is a public suffix…".
 * @param {{code: string, value: string|null, index: number|null}} problem
 */
function describe(problem) {
  const text = message(`settingError_${problem.code}`, problem.value === null ? [] : [problem.value]);
  return problem.index === null ? text : message("options_line", [problem.index + 1, text]);
}

/**
 * Shows the user-layer problems beside their fields.
 * @param {object[]} problems
 */
function showErrors(problems) {
  for (const old of form.querySelectorAll(".error")) old.remove();
  for (const problem of problems) {
    const field = form.querySelector(`.field[data-key="${CSS.escape(problem.key)}"]`);
    if (!field) continue;
    const error = document.createElement("p");
    error.className = "error";
    error.setAttribute("role", "alert");
    error.textContent = describe(problem);
    field.append(error);
  }
}

/** Lists the organisation's policy problems, if any. */
function showPolicyProblems(problems) {
  const section = document.getElementById("policy-problems");
  const list = section.querySelector("ul");
  list.replaceChildren(
    ...problems.map((problem) => {
      const item = document.createElement("li");
      item.textContent = `${problem.key || "policy"}: ${describe(problem)}`;
      return item;
    }),
  );
  section.hidden = problems.length === 0;
}

/**
 * The engine for the current policy, kept for live validation; replaced on
 * every render so that it follows policy changes.
 * @type {Engine|undefined}
 */
let engine;

/** Reads both layers and shows the effective settings. */
async function render() {
  const next = new Engine(JSON.stringify(await readPolicyLayers()));
  engine?.free();
  engine = next;
  const { policy } = callEngine(engine, { v: PROTOCOL_VERSION, kind: "policy" });
  locked = new Set(policy.locked);
  fill(policy.settings);
  showLocks();
  showPolicyProblems(policy.problems.filter((p) => p.layer === "managed"));
  showErrors(policy.problems.filter((p) => p.layer === "user"));
}

function validate() {
  const { validation: report } = callEngine(engine, { v: PROTOCOL_VERSION, kind: "validate", settings: draft() });
  showErrors(report.problems);
  return report;
}

async function save(event) {
  event.preventDefault();
  const status = document.getElementById("status");
  const report = validate();
  if (report.problems.length > 0) {
    status.textContent = message("options_fixErrors");
    return;
  }
  await writeUserSettings(report.normalized);
  status.textContent = message("options_saved");
}

/** How many times the page has re-checked for a registration since the last grant. */
let registrationWaits = 0;

/**
 * Whether this build protects self-hosted webmail: an origin is granted as an
 * optional host permission and registered with `scripting`, which only the
 * browsers' builds ask for (not Thunderbird's, which hides the section).
 * It starts false, the safe value, and `main` sets it from the manifest
 * before anything is drawn.
 */
let selfHosted = false;

/** Shows the self-hosted webmail origins and what the admin listed wrongly. */
async function renderWebmail() {
  if (!selfHosted) return;
  const list = document.getElementById("webmailOrigins");
  const statuses = await originStatuses();
  renderOrigins(list, statuses, { granted: afterGrant, remove: (origin) => removeOrigin(origin).then(renderWebmail) });
  // The background registers a granted origin a moment after the grant.
  if (statuses.some((s) => s.granted && !s.active) && registrationWaits++ < 20) setTimeout(renderWebmail, 250);
  const problems = document.getElementById("policy-problems");
  problems.querySelector("[data-origins-problem]")?.remove();
  const wrong = invalidOrigins(await readPolicyOriginsRaw());
  if (wrong.length) {
    const item = document.createElement("li");
    item.dataset.originsProblem = "";
    item.textContent = `${POLICY_ORIGINS_KEY}: ${message("options_origin_invalid", [wrong.join(", ")])}`;
    problems.querySelector("ul").append(item);
    problems.hidden = false;
  }
}

/**
 * After the browser answered a grant request.
 * @param {boolean} granted
 * @param {string} origin
 */
function afterGrant(granted, origin) {
  registrationWaits = 0;
  document.getElementById("webmailStatus").textContent = message(granted ? "options_origin_granted" : "options_origin_refused", [origin]);
  renderWebmail();
}

/** "Protect this webmail": parse, then ask the browser within the click. */
function protectTypedWebmail() {
  const input = /** @type {HTMLInputElement} */ (document.getElementById("webmailOrigin"));
  const origin = parseOrigin(input.value);
  if (!origin) {
    document.getElementById("webmailStatus").textContent = message("options_origin_notAnAddress");
    return;
  }
  grantOrigin(origin).then(
    (granted) => {
      if (granted) input.value = "";
      afterGrant(granted, origin);
    },
    () => afterGrant(false, origin),
  );
}

async function main() {
  localize(document);
  // (The browser may give the manifest back with an empty list for a key it lacks.)
  selfHosted = (ext().runtime.getManifest().optional_host_permissions ?? []).length > 0;
  document.getElementById("webmail").hidden = !selfHosted;
  document.getElementById("protectWebmail").addEventListener("click", protectTypedWebmail);
  const hosts = document.getElementById("protectedHosts");
  for (const host of SUPPORTED_HOSTS) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.id = `host-${host}`;
    label.append(box, ` ${host}`);
    hosts.append(label);
  }
  // The form stays inert (in the HTML, so from the first paint) with
  // "Loading your settings…" until the engine has rendered the effective
  // settings: an empty or default form must never be savable over real
  // settings while the WASM loads.
  await init({ module_or_path: new URL("../pkg/bcc_guard_bg.wasm", import.meta.url) });
  await render();
  await renderWebmail();
  form.inert = false;
  form.removeAttribute("aria-busy");
  document.getElementById("status").textContent = "";
  form.addEventListener("input", validate);
  form.addEventListener("change", validate);
  form.addEventListener("submit", save);
  // The organisation's policy or another window's save: show the new state.
  // (Other keys, such as the popup's counters, are none of this page's business.)
  ext().storage.onChanged.addListener((changes, area) => {
    if (area === "managed" || USER_SETTINGS_KEY in changes) render().then(renderWebmail);
    else if (USER_ORIGINS_KEY in changes) renderWebmail();
  });
  // The registration follows a grant or removal a moment later (the
  // background does it); show it, and grants made elsewhere.
  ext().permissions.onAdded.addListener(() => setTimeout(renderWebmail, 200));
  ext().permissions.onRemoved.addListener(() => setTimeout(renderWebmail, 200));
  document.documentElement.dataset.ready = "1";
}

main();
