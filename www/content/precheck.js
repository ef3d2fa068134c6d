/**
 * @file The verdict for each compose ahead of its send: the precheck. So
 * that a harmless send goes through untouched, the engine is asked about a
 * compose's recipients while the user is still writing, and its replies are
 * kept per compose for exactly the recipients they were made for.
 *
 * What it does for the guard (www/content/guard.js), which asks it at send
 * time before it asks the engine itself:
 *  - `lookup`: the reply already known for a compose's recipients as just
 *    read, if any;
 *  - `learn`: keeps a reply (the guard's own send-time ones too), and what
 *    it says about the policy (`sendAnywayAllowed`, used when a check fails);
 *  - `forget`: drops everything when the policy changes;
 *  - `activity` / `track`: watches a compose (its events, a
 *    MutationObserver on its recipients) and checks it again shortly after
 *    each change; keeps the background awake while any compose is open.
 *
 * For everyone else, `onVerdict` tells each new verdict for a compose's
 * current recipients (a live notice in the compose is one such listener).
 * The precheck only asks and remembers: it never stops, holds or sends.
 */

/**
 * How long to wait after the last change in a compose before asking the
 * engine about it in advance. Short enough to be done before the user reaches
 * Send; long enough not to ask on every keystroke.
 */
const PRECHECK_DELAY_MS = 120;

/**
 * How often an open compose reminds the background that it will be needed.
 * Chromium stops an idle extension service worker after 30 s, Firefox an
 * idle event page after about as long, and any message resets that clock:
 * so while a compose is open the background stays warm, and a send never
 * waits for the WASM to load again. With no compose open, nothing is sent.
 */
const KEEP_WARM_MS = 20_000;

/** Replies kept per compose: only recent recipient sets matter. */
const MAX_VERDICTS = 8;

/** The message body editors of Gmail, Outlook and Roundcube (plain text). */
const MESSAGE_BODY = "[g_editable=true], [contenteditable=true][aria-multiline=true], textarea#composebody";

/**
 * @typedef {object} Watched What the precheck keeps for one compose.
 * @property {Map<string, object>} verdicts Replies by `signature`.
 * @property {string|null} current The signature of its recipients as last read.
 * @property {object|null} compose Those recipients (the protocol's compose).
 * @property {any} timer The scheduled precheck.
 * @property {MutationObserver|null} observer Watches its recipients.
 *
 * @callback VerdictListener
 * @param {Element} root The compose.
 * @param {object} reply The engine's reply for its current recipients: an
 *   `evaluate` reply (`verdict`, and `recipients` as columns), or an error
 *   reply when the check failed.
 * @param {object} compose The compose the reply is about, as the adapter
 *   read it (the reply leaves out what the sender already has).
 */

export class Precheck {
  /**
   * @param {object} deps
   * @param {import("./adapters.js").Adapter} deps.adapter
   * @param {(request: object) => Promise<object>} deps.ask The engine transport.
   * @param {(root: Element) => boolean} deps.busy Whether the guard is
   *   handling a send of this compose (no precheck runs meanwhile).
   */
  constructor({ adapter, ask, busy }) {
    this.adapter = adapter;
    this.ask = ask;
    this.busy = busy;
    /** @type {WeakMap<Element, Watched>} */
    this.composes = new WeakMap();
    /** Bumped when the policy changes, which invalidates kept verdicts. */
    this.generation = 0;
    /**
     * Whether the policy lets the user send despite a warning, as the engine
     * last said (in a verdict, or with an error reply when the background
     * knew it); used only when the check fails. `null` while unknown: before
     * the first reply and after a policy change. Unknown is not allowed
     * (fail closed): the "could not check" dialog then offers "Try again".
     * @type {boolean|null}
     */
    this.sendAnywayAllowed = null;
    /**
     * What a send in a compose BCC Guard cannot read does (the engine's
     * `whenBlind`: "ask" or "notice"), as the engine last said; `null` while
     * unknown, which the guard treats as "ask" (fail closed).
     * @type {string|null}
     */
    this.whenBlind = null;
    /** The composes seen open, for `keepWarm`; pruned as they close. */
    this.open = new Set();
    /** The keep-warm interval while any compose is open. */
    this.warmTimer = null;
    /** @type {Set<VerdictListener>} */
    this.listeners = new Set();
  }

  /**
   * Listens for verdicts: each reply learnt for a compose's current
   * recipients, from a precheck or from a send.
   * @param {VerdictListener} listener
   * @returns {() => void} Stops listening.
   */
  onVerdict(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The cache key: equal for equal recipients under the same policy.
   * @param {object} compose
   * @returns {string}
   */
  signature(compose) {
    return `${this.generation}\u0000${JSON.stringify(compose)}`;
  }

  /**
   * What is known about a compose's recipients as just read; they become its
   * current ones.
   * @param {Element} root
   * @param {object} compose The protocol's compose, as the adapter read it.
   * @returns {{key: string, reply: object|undefined}} The key to `learn` the
   *   reply by, and the reply already known for exactly these recipients.
   */
  lookup(root, compose) {
    const watched = this.watchedOf(root);
    const key = this.signature(compose);
    watched.current = key;
    watched.compose = compose;
    return { key, reply: watched.verdicts.get(key) };
  }

  /**
   * Keeps a reply to an `evaluate` request: a verdict until the recipients
   * or the policy change, an error reply only for what it says about the
   * policy. A reply to a request made before the policy changed is dropped.
   * @param {Element} root
   * @param {string} key The request's `signature` (from `lookup`).
   * @param {any} reply
   */
  learn(root, key, reply) {
    if (!key.startsWith(`${this.generation}\u0000`)) return;
    this.learnPolicy(reply);
    const watched = this.watchedOf(root);
    if (!reply.ok) {
      watched.verdicts.delete(key);
    } else {
      if (watched.verdicts.size > MAX_VERDICTS) watched.verdicts.clear();
      watched.verdicts.set(key, reply);
    }
    if (watched.current !== key) return;
    for (const listener of this.listeners) {
      try {
        listener(root, reply, watched.compose);
      } catch (error) {
        // A listener's fault must not reach the guard.
        console.error("BCC Guard: a verdict listener failed", error);
      }
    }
  }

  /**
   * Keeps what a reply says about the policy: whether "Send anyway" is
   * allowed, and what a blind compose's send does.
   * @param {any} reply An `evaluate` reply, or an error reply.
   */
  learnPolicy(reply) {
    const allowed = reply.ok ? reply.verdict?.policyAllowsSendAnyway : reply.policyAllowsSendAnyway;
    if (typeof allowed === "boolean") this.sendAnywayAllowed = allowed;
    const whenBlind = reply.ok ? reply.verdict?.whenBlind : undefined;
    if (typeof whenBlind === "string") this.whenBlind = whenBlind;
  }

  /**
   * Forgets every kept verdict, e.g. when the policy changed: a verdict is
   * only valid for the policy it was made under, and so is what the last
   * one said about "Send anyway".
   */
  forget() {
    this.generation += 1;
    this.sendAnywayAllowed = null;
    this.whenBlind = null;
    // What listeners were told may no longer hold (the threshold changed,
    // the notice was turned off): the open composes are checked again.
    for (const root of this.open) {
      if (root.isConnected) this.schedule(root, this.watchedOf(root));
    }
  }

  /**
   * Any activity inside a compose schedules an advance check, so that by
   * the time the user presses Send the verdict for the exact recipients is
   * known and a harmless send goes through untouched. Events outside any
   * compose cost one `closest()` lookup; with no compose open, nothing runs.
   * @param {Event} event
   */
  activity(event) {
    const root = this.adapter.composeOf(event.target);
    if (!root) return;
    // Typing the body needs a first check of the compose, not one per key:
    // recipient changes after that are seen by the observer.
    const first = this.watchedOf(root).verdicts.size === 0;
    this.track(root, first || !isInMessageBody(/** @type {Node} */ (event.target)));
  }

  /**
   * Watches a compose until it closes: its recipient changes are checked
   * ahead, and the background is kept warm meanwhile.
   * @param {Element} root
   * @param {boolean} [checkSoon] Also check it shortly (a compose just found,
   *   or just changed).
   */
  track(root, checkSoon = true) {
    const watched = this.watchedOf(root);
    this.watch(root, watched);
    this.keepWarm(root);
    if (checkSoon) this.schedule(root, watched);
  }

  /**
   * @param {Element} root
   * @returns {Watched}
   */
  watchedOf(root) {
    let watched = this.composes.get(root);
    if (!watched) {
      watched = { verdicts: new Map(), current: null, compose: null, timer: null, observer: null };
      this.composes.set(root, watched);
    }
    return watched;
  }

  /**
   * Watches a compose's subtree for changes the user did not type (chips
   * created asynchronously, recipients added by the page), until it closes.
   * @param {Element} root
   * @param {Watched} watched
   */
  watch(root, watched) {
    if (watched.observer) return;
    watched.observer = new MutationObserver((records) => {
      if (!root.isConnected) {
        watched.observer.disconnect();
        watched.observer = null;
        return;
      }
      // Typing the message body changes no recipient, nor does the notice
      // coming or going (notice.js): no need to re-read.
      if (records.every((record) => isInMessageBody(record.target) || isNoticeOnly(record))) return;
      this.schedule(root, watched);
    });
    watched.observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-hovercard-id", "value"] });
  }

  /**
   * Keeps the background awake while `root` or any other seen compose is
   * open: one small message every `KEEP_WARM_MS`, stopped when the last
   * compose has closed.
   * @param {Element} root
   */
  keepWarm(root) {
    this.open.add(root);
    if (this.warmTimer !== null) return;
    this.warmTimer = setInterval(() => {
      for (const open of this.open) if (!open.isConnected) this.open.delete(open);
      if (this.open.size === 0) {
        clearInterval(this.warmTimer);
        this.warmTimer = null;
        return;
      }
      // The answer does not matter: a background that cannot be reached
      // now is reported by the next real request.
      this.ask({ kind: "ping" }).catch(() => {});
    }, KEEP_WARM_MS);
  }

  /**
   * @param {Element} root
   * @param {Watched} watched
   */
  schedule(root, watched) {
    clearTimeout(watched.timer);
    watched.timer = setTimeout(() => this.run(root), PRECHECK_DELAY_MS);
  }

  /**
   * Reads the compose and asks the engine about it, unless the verdict for
   * exactly these recipients is known or the guard is busy with it.
   * @param {Element} root
   */
  async run(root) {
    if (!root.isConnected || this.busy(root)) return;
    let read;
    try {
      read = this.adapter.read(root);
    } catch {
      return; // The send itself will read again and warn if it still fails.
    }
    const { key, reply: known } = this.lookup(root, read.compose);
    if (known) return;
    this.learn(root, key, await this.ask({ kind: "evaluate", compose: read.compose }));
  }
}

/**
 * Whether a mutation only added or removed the compose's notice.
 * @param {MutationRecord} record
 */
function isNoticeOnly(record) {
  const nodes = [...record.addedNodes, ...record.removedNodes];
  return nodes.length > 0 && nodes.every((node) => node instanceof Element && node.getAttribute("data-bcc-guard") === "notice");
}

/**
 * Whether a node is inside a message body editor.
 * @param {Node} node
 */
function isInMessageBody(node) {
  const element = node instanceof Element ? node : node.parentElement;
  return Boolean(element?.closest(MESSAGE_BODY));
}
