/**
 * @file What this frame's composes look like, for the toolbar badge and the
 * popup: each compose's health (health.js) and how many outside parties its
 * current verdict exposes (precheck.js), and which one has the focus.
 *
 * It tells the background whenever that changes (`health` message; the
 * background's badge.js turns every frame's report into the tab's badge and
 * title), and answers the popup's `status` question with the same list. It
 * sends facts, never addresses: states, counts and whether it is focused.
 */

/**
 * @typedef {object} ComposeReport One compose, as the badge and popup see it.
 * @property {"ok"|"degraded"|"blind"} state Its health.
 * @property {number} parties Outside parties its verdict exposes (0 when
 *   nothing would be stopped, or no verdict yet).
 * @property {boolean} focused Whether it holds (or last held) the focus.
 */

export class TabState {
  /**
   * @param {object} deps
   * @param {import("./health.js").HealthWatch} deps.health
   * @param {import("./precheck.js").Precheck} deps.precheck
   * @param {(composes: ComposeReport[], fresh: boolean) => void} deps.send
   *   Tells the background (`fresh`: this frame's first report since it loaded).
   */
  constructor({ health, precheck, send }) {
    this.health = health;
    this.send = send;
    /** @type {WeakMap<Element, number>} Exposed parties by compose root. */
    this.parties = new WeakMap();
    /** @type {Element|null} */
    this.focused = null;
    this.last = null;
    health.onHealth(() => this.report());
    precheck.onVerdict((root, reply) => {
      const verdict = reply.ok ? reply.verdict : null;
      this.parties.set(root, verdict && verdict.action !== "none" ? verdict.exposedParties : 0);
      this.report();
    });
    window.addEventListener(
      "focusin",
      (event) => {
        const root = health.composeAt(/** @type {Element} */ (event.target));
        if (root && root !== this.focused) {
          this.focused = root;
          this.report();
        }
      },
      { capture: true, passive: true },
    );
    // A page that just loaded has no compose yet: the badge of the page it
    // replaced must not stay.
    if (window.top === window) this.report();
  }

  /**
   * The compose that holds (or last held) the focus, else the first seen.
   * @returns {Element|null}
   */
  focusedRoot() {
    const entries = this.health.entries();
    return entries.some(([root]) => root === this.focused) ? this.focused : (entries[0]?.[0] ?? null);
  }

  /**
   * Every compose of this frame, with its state.
   * @returns {ComposeReport[]}
   */
  composes() {
    const focused = this.focusedRoot();
    return this.health.entries().map(([root, { state }]) => ({ state, parties: this.parties.get(root) ?? 0, focused: root === focused }));
  }

  /** Tells the background, if anything changed since the last time. */
  report() {
    const composes = this.composes();
    const text = JSON.stringify(composes);
    if (text === this.last) return;
    const fresh = this.last === null;
    this.last = text;
    this.send(composes, fresh);
  }
}
