/**
 * @file The health of each compose: can BCC Guard see it?
 *
 * Two detectors look at every compose: the adapter (precise: classes, ids,
 * structure) and the broad finder (finder.js: roles and accessible names).
 * For each compose the finder sees, the health compares them:
 *
 * - `ok`: the adapter maps the compose's root from its Send control and its
 *   To field, finds there the To field it reads (so its read is complete),
 *   exactly one plain Send control, and knows every Send candidate the
 *   finder sees there;
 * - `degraded`: all of that, but a fallback strategy was needed (Outlook's
 *   structural root or label-found well, Gmail's tooltip-found Send);
 * - `blind`: the finder sees a compose the adapter cannot map, or the
 *   adapter lacks its Send or To there, or a Send candidate there is not
 *   one the adapter would catch. A send in it would pass unchecked, so the
 *   guard holds it (`whenBlind` "ask") or the badge has said so
 *   (`whenBlind` "notice").
 *
 * ## The listener API (for the in-compose notice and the toolbar badge)
 *
 * ```js
 * import { onHealth, healthOf } from "./health.js";
 * const stop = onHealth((root, state, detail) => { … });
 * healthOf(root); // → {state, detail} | null
 * ```
 *
 * `onHealth` calls the listener whenever a compose's state or detail
 * changes, and once with `state` "closed" when it leaves the page. `root` is
 * the adapter's compose root when the adapter maps it (the element the
 * guard and the precheck use), else the finder's. `detail` is
 * `{reason, fallbacks, finderRoot, sends}`: why it is blind (`noRoot`,
 * `noTo`, `noSend`, `manySends`, `sendUnknown`, `toOutside`; "fallback"
 * when degraded, null when ok), the fallbacks used, the finder's own root
 * and its Send candidates. `healthOf(root)` answers the same for one root
 * (either root), or null for a compose neither detector has seen.
 *
 * When it runs: on `focusin` and `input`, and after a batch of added
 * elements (a MutationObserver, throttled to one scan per
 * `SCAN_THROTTLE_MS`). No timer runs while nothing changes, and none at all
 * with no compose open beyond the one scan after a change.
 */

import { CONTROLS, findComposes, isSendCandidate, rulesFor, scheduleItemOf } from "./finder.js";

/** Recipient lists and editors: what changes inside them is not a compose's structure. */
const INSIDE_FIELDS = "[role=listbox], [role=option], [contenteditable=true]";

/** At most one scan this often while the page keeps changing. */
const SCAN_THROTTLE_MS = 150;

/**
 * @typedef {"ok"|"degraded"|"blind"} HealthState
 *
 * @typedef {object} HealthDetail
 * @property {string|null} reason Why it is blind or degraded, if it is.
 * @property {string[]} fallbacks The adapter's fallback strategies used.
 * @property {Element} finderRoot The finder's root of the compose.
 * @property {Element[]} sends The finder's Send candidates.
 *
 * @typedef {object} Health
 * @property {HealthState} state
 * @property {HealthDetail} detail
 *
 * @callback HealthListener
 * @param {Element} root
 * @param {HealthState|"closed"} state
 * @param {HealthDetail|null} detail
 */

/**
 * Judges one compose the finder saw against the adapter.
 * @param {import("./adapters.js").Adapter} adapter
 * @param {import("./finder.js").FoundCompose} found
 * @returns {{root: Element, health: Health}}
 */
export function judge(adapter, found) {
  const blind = (reason, root = found.root) => ({ root, health: { state: /** @type {HealthState} */ ("blind"), detail: { reason, fallbacks: [], finderRoot: found.root, sends: found.sends } } });
  const root = adapter.composeOf(found.sends[0]) ?? adapter.composeOf(found.to);
  if (!root) return blind("noRoot");
  if (adapter.composeOf(found.to) !== root) return blind("toOutside", root);
  const probe = adapter.probe(root);
  if (!probe.to) return blind("noTo", root);
  if (probe.primary === 0) return blind("noSend", root);
  if (probe.primary > 1) return blind("manySends", root);
  const known = (send) => probe.sends.some((mapped) => mapped === send || mapped.contains(send) || send.contains(mapped));
  if (!found.sends.every(known)) return blind("sendUnknown", root);
  // The recipients are readable where the adapter finds the To field it
  // reads (each adapter's read is complete exactly then); reading them all
  // here would cost a 1,000-recipient compose milliseconds per scan, and a
  // read that fails at the send is stopped there ("could not check").
  const degraded = probe.fallbacks.length > 0;
  return {
    root,
    health: {
      state: degraded ? "degraded" : "ok",
      detail: { reason: degraded ? "fallback" : null, fallbacks: probe.fallbacks, finderRoot: found.root, sends: found.sends },
    },
  };
}

/** The running instance, for the module-level API. */
let current = null;

export class HealthWatch {
  /**
   * @param {import("./adapters.js").Adapter} adapter
   */
  constructor(adapter) {
    this.adapter = adapter;
    this.rules = rulesFor(adapter.name);
    /** @type {Map<Element, Health>} By root (the adapter's, else the finder's). */
    this.states = new Map();
    /** The finder's roots, to the root they are known by. */
    this.byFinderRoot = new Map();
    /** @type {Set<HealthListener>} */
    this.listeners = new Set();
    this.timer = null;
    this.observer = null;
    this.scan = this.scan.bind(this);
    this.soon = this.soon.bind(this);
  }

  /**
   * Starts watching this document, and makes this the instance `onHealth`
   * and `healthOf` answer for.
   */
  install() {
    current = this;
    // A focus change is rare and may be the first sight of a compose; typing
    // inside a compose already seen changes nothing the finder looks at.
    window.addEventListener("focusin", this.soon, { capture: true, passive: true });
    window.addEventListener("input", (event) => {
      if (!this.composeAt(event.target instanceof Element ? event.target : null)) this.soon();
    }, { capture: true, passive: true });
    this.observer = new MutationObserver((records) => {
      if (this.timer !== null) return;
      const seen = new Map();
      if (records.some((record) => this.mayChangeComposes(record, seen))) this.soon();
    });
    this.observer.observe(document, { childList: true, subtree: true });
  }

  /**
   * Whether a mutation may bring, change or close a compose: elements added
   * outside recipient lists and editors (chips come and go by the thousand
   * there, and cost the scan nothing to ignore), or anything removed while
   * a compose is known.
   * @param {MutationRecord} record
   * @param {Map<Node|string, boolean>} seen What this batch already found
   *   out (a batch of a thousand chips has one target a thousand times).
   */
  mayChangeComposes(record, seen = new Map()) {
    if (this.states.size > 0 && record.removedNodes.length > 0) {
      if (!seen.has("gone")) {
        seen.set("gone", [...this.states].some(([root, health]) => !root.isConnected || !health.detail.finderRoot.isConnected || health.detail.sends.some((send) => !send.isConnected)));
      }
      if (seen.get("gone")) return true;
    }
    // Inside a recipient list or editor nothing added matters: known after
    // the first record of a batch, which has the same target a thousand times.
    if (seen.get(record.target) === false) return false;
    let added = false;
    for (const node of record.addedNodes) added ||= node.nodeType === 1;
    if (!added) return false;
    if (seen.has(record.target)) return true;
    const parent = record.target.nodeType === 1 ? /** @type {Element} */ (record.target) : record.target.parentElement;
    const outside = !parent?.closest(INSIDE_FIELDS);
    seen.set(record.target, outside);
    return outside;
  }

  /** Schedules one scan, unless one is already due. */
  soon() {
    if (this.timer !== null) return;
    this.timer = setTimeout(this.scan, SCAN_THROTTLE_MS);
  }

  /**
   * Runs the finder now and updates every compose's state.
   * @returns {Map<Element, Health>}
   */
  scan() {
    clearTimeout(this.timer);
    this.timer = null;
    /** @type {Map<Element, Health>} */
    const next = new Map();
    const byFinderRoot = new Map();
    for (const found of findComposes(document, this.rules)) {
      const { root, health } = judge(this.adapter, found);
      // Two finder roots in one adapter compose: the worse state stands.
      const before = next.get(root);
      if (!before || rank(health.state) > rank(before.state)) next.set(root, health);
      byFinderRoot.set(found.root, root);
    }
    const before = this.states;
    // The new states stand before anyone is told, so a listener that asks
    // (`get`, `entries`) hears the same as it is told.
    this.states = next;
    this.byFinderRoot = byFinderRoot;
    for (const [root, health] of next) {
      const old = before.get(root);
      if (!old || old.state !== health.state || old.detail.reason !== health.detail.reason) this.tell(root, health.state, health.detail);
    }
    for (const root of before.keys()) if (!next.has(root)) this.tell(root, "closed", null);
    return next;
  }

  /**
   * @param {Element} root
   * @param {HealthState|"closed"} state
   * @param {HealthDetail|null} detail
   */
  tell(root, state, detail) {
    for (const listener of this.listeners) {
      try {
        listener(root, state, detail);
      } catch (error) {
        // A listener's fault must not reach the guard.
        console.error("BCC Guard: a health listener failed", error);
      }
    }
  }

  /**
   * @param {HealthListener} listener
   * @returns {() => void} Stops listening.
   */
  onHealth(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The health of a compose, by the adapter's root or the finder's.
   * @param {Element} root
   * @returns {Health|null}
   */
  get(root) {
    return this.states.get(root) ?? this.states.get(this.byFinderRoot.get(root)) ?? null;
  }

  /**
   * Every compose seen, with its health.
   * @returns {Array<[Element, Health]>}
   */
  entries() {
    return [...this.states];
  }

  /**
   * The compose an element is in, as the health knows it.
   * @param {Element|null} element
   * @returns {Element|null}
   */
  composeAt(element) {
    if (!element) return null;
    for (const [root, health] of this.states) if (root.contains(element) || health.detail.finderRoot.contains(element)) return root;
    return null;
  }

  /**
   * If an event is a send in a blind compose, which the adapter did not
   * take for one: a click, Enter or Space on the finder's Send candidate,
   * Ctrl/⌘+Enter anywhere in the compose, or a "Schedule send" / "Send
   * later" menu item while a compose is blind. The states are brought up
   * to date first, so a page that changed a moment ago is judged as it is.
   * @param {import("./adapters.js").UserInput} event
   * @returns {{root: Element, element: Element|null}|null} The compose and
   *   the control to activate for the send, if the user sends anyway.
   */
  blindSend(event) {
    const first = event.composedPath()[0];
    const target = first instanceof Element ? first : event.target instanceof Element ? event.target : null;
    if (!target) return null;
    const key = event.type === "keydown" ? /** @type {KeyboardEvent} */ (event) : null;
    const activation = key ? (key.key === "Enter" || key.key === " ") && !key.ctrlKey && !key.metaKey && !key.altKey : /** @type {MouseEvent} */ (event).button === 0;
    const shortcut = Boolean(key && key.key === "Enter" && (key.ctrlKey || key.metaKey) && !key.altKey);
    if (!activation && !shortcut) return null;
    // Cheap before the scan: only a Send-looking control, a schedule item
    // or the shortcut can be a blind send.
    const item = activation ? scheduleItemOf(target, this.rules) : null;
    if (!shortcut && !item && !this.looksLikeSend(target)) return null;
    this.scan();
    for (const [root, health] of this.states) {
      if (health.state !== "blind") continue;
      const { finderRoot, sends } = health.detail;
      if (activation) {
        const send = sends.find((candidate) => candidate.contains(target));
        if (send) return { root, element: send };
        if (item && (finderRoot.contains(item) || !this.composeAt(item))) return { root, element: item };
      } else if (finderRoot.contains(target) || root.contains(target)) {
        return { root, element: sends[0] ?? null };
      }
    }
    return null;
  }

  /**
   * Whether an element is inside something the finder would take for a
   * Send: only then is a click worth a scan.
   * @param {Element} target
   */
  looksLikeSend(target) {
    for (let control = target.closest(CONTROLS); control; control = control.parentElement?.closest(CONTROLS) ?? null) {
      if (isSendCandidate(control, this.rules)) return true;
    }
    return false;
  }
}

/** @param {HealthState} state */
const rank = (state) => (state === "blind" ? 2 : state === "degraded" ? 1 : 0);

/**
 * Listens for health changes of every compose of this page.
 * @param {HealthListener} listener
 * @returns {() => void} Stops listening.
 */
export function onHealth(listener) {
  if (!current) throw new Error("BCC Guard: the health watch is not installed");
  return current.onHealth(listener);
}

/**
 * The health of one compose, by either detector's root.
 * @param {Element} root
 * @returns {Health|null}
 */
export function healthOf(root) {
  return current?.get(root) ?? null;
}
