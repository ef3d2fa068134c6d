/**
 * @file The send guard: catches every send in a webmail page, asks the engine
 * whether recipients would be exposed, and lets the send through, stops it
 * with the dialog, or moves recipients to Bcc and replays it.
 *
 * It knows nothing about a particular webmail; an adapter (`gmail.js`,
 * `outlook.js`) maps events to compose windows and reads and writes
 * recipients. The guard owns the state machine, per compose window:
 *
 *   idle ──send──▶ checking ──none──▶ replay ──▶ idle
 *                     │
 *                     └─exposure─▶ dialog ──cancel──▶ idle
 *                                    ├─send anyway──▶ replay
 *                                    └─move──▶ moving ──verified──▶ replay (or idle, for "Move")
 *                                                 └─not verified──▶ dialog (what to move by hand)
 *
 * A choice in a send-options menu or schedule dialog ("Schedule send") goes
 * through the same machine for every compose it may send, and is made again
 * only when all may go (`gate`, below).
 *
 * While a compose is not idle, further send attempts on it (double clicks,
 * key auto-repeat, impatient Ctrl+Enter) are swallowed, so a confirmed
 * message is sent exactly once. The replay is one synthetic click on the
 * webmail's own Send button, made while a one-shot in-memory bypass is set;
 * `dispatchEvent` is synchronous, so the bypass cannot leak to a later event.
 */

import { askEngine, completeRecipients } from "../lib/engine-client.js";
import { extensionAlive } from "../lib/browser.js";
import { unverifiedChoices, verdictChoices } from "../lib/choices.js";
import { Dialog } from "../lib/dialog.js";

/**
 * @typedef {object} ComposeRead What an adapter read from one compose window.
 * @property {{account: string|null, host: string, complete: boolean,
 *   to: object[], cc: object[], bcc: object[]}} compose The protocol's
 *   `compose` object.
 * @property {{to: Element[], cc: Element[], bcc: Element[]}} elements The DOM
 *   element behind each entry, in the same order, for the move.
 *
 * @typedef {MouseEvent & KeyboardEvent} UserInput A click, mouseup or key
 *   event, as the guard's listeners receive them: the properties of the
 *   other kind are undefined at run time.
 *
 * @typedef {object} Adapter What the guard needs from a webmail.
 * @property {string} name
 * @property {(event: UserInput) => SendTarget|null} sendTarget
 *   If the event is an attempt to send (a click on Send, Enter/Space on it,
 *   Ctrl/⌘+Enter in the compose): the compose root, and which send it was
 *   (adapter-defined, e.g. "send" or "sendArchive"), passed back to `replaySend`.
 *   If it is a choice in a send-options menu or schedule dialog that leads
 *   to a send: every compose it may send (just its own, when the adapter can
 *   tell; else every open one) and the choice, passed back to `replayChoice`.
 *   An adapter whose webmail has no such choices never returns `roots`.
 * @property {(choice: any) => boolean} replayChoice Makes a send-options
 *   choice again the webmail's way (see "Send-options choices" below); false
 *   if it can no longer be found.
 * @property {(target: EventTarget|null) => Element|null} composeOf The compose
 *   root an event target belongs to, if any.
 * @property {(root: Element) => ComposeRead} read Reads the recipients.
 * @property {(root: Element, plan: object, read: ComposeRead, recipients: object[]) => Promise<void>} applyPlan
 *   Writes the move into the compose (Bcc additions first, then removals).
 * @property {(root: Element, via: any, confirmed: boolean) => boolean} replaySend
 *   Sends the webmail's own way (`confirmed`: the user chose to send in our
 *   dialog, rather than the check finding nothing); false if it cannot.
 * @property {(root: Element) => void} focus Puts the focus back into the compose.
 * @property {(root: Element) => Promise<void>} commitTyped Turns typed
 *   addresses into chips the way the webmail does when the focus leaves,
 *   so that moving the focus during the move changes nothing unplanned.
 *
 * @typedef {{root: Element, via: any, roots?: undefined, choice?: undefined}
 *   | {roots: Element[], choice: any, root?: undefined, via?: undefined}} SendTarget
 *   What `Adapter.sendTarget` found: a send of one compose, or a
 *   send-options choice that may send any of `roots`.
 *
 * @typedef {object} ComposeState The guard's state of one compose.
 * @property {string} state "idle" | "checking" | "dialog" | "moving".
 * @property {boolean} bypass Set around our own replay of its send.
 * @property {any} via Which send it was (`SendTarget.via`).
 * @property {Map<string, any>} verdicts Replies by `signature`.
 * @property {any} timer The scheduled precheck.
 * @property {MutationObserver|null} observer Watches its recipients.
 * @property {((go: boolean) => void)|null} gate Its part in a send-options choice.
 */

/** Per-compose state: "idle" | "checking" | "dialog" | "moving". */
const IDLE = "idle";

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

export class Guard {
  /**
   * @param {Adapter} adapter
   * @param {object} [options]
   * @param {(request: object) => Promise<object>} [options.ask] The engine
   *   transport (tests may pass another).
   * @param {(event: string, count?: number) => void} [options.count] Reports
   *   counters (warnings shown, recipients moved…) to the background.
   */
  constructor(adapter, { ask = askEngine, count = () => {} } = {}) {
    this.adapter = adapter;
    this.ask = ask;
    this.count = count;
    /** @type {WeakMap<Element, ComposeState>} */
    this.composes = new WeakMap();
    this.dialog = new Dialog();
    /** Bumped when the policy changes, which invalidates cached verdicts. */
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
    /** True while a send-options choice is being replayed (see `release`). */
    this.releasing = false;
    /** The composes seen open, for `keepWarm`; pruned as they close. */
    this.openComposes = new Set();
    /** The keep-warm interval while any compose is open. */
    this.warmTimer = null;
    this.onEvent = this.onEvent.bind(this);
    this.onActivity = this.onActivity.bind(this);
  }

  /**
   * Listens on `window` in the capture phase. Registered at document_start,
   * these listeners run before any listener the page can add, on any element.
   */
  install() {
    // Gmail's menus act on mouseup, before the click (see send-paths.md).
    for (const type of ["click", "mouseup", "keydown", "keyup", "keypress"]) {
      window.addEventListener(type, this.onEvent, { capture: true });
    }
    // focusin: a compose that gets the focus (a new one, or the user coming
    // back to it) is checked ahead and keeps the background warm.
    for (const type of ["input", "paste", "focusin", "focusout", "drop", "cut"]) {
      window.addEventListener(type, this.onActivity, { capture: true, passive: true });
    }
  }

  /**
   * Remembers what a reply says about the policy: a verdict's, or an error
   * reply's when the background knew the policy (engine-host.js). A reply
   * to a request made before the policy changed says nothing.
   * @param {any} reply
   * @param {string} key The request's `signature`.
   */
  remember(reply, key) {
    if (!key.startsWith(`${this.generation}\u0000`)) return;
    const allowed = reply.ok ? reply.verdict?.policyAllowsSendAnyway : reply.policyAllowsSendAnyway;
    if (typeof allowed === "boolean") this.sendAnywayAllowed = allowed;
  }

  /**
   * Forgets every cached verdict, e.g. when the policy changed: a verdict is
   * only valid for the policy it was made under, and so is what the last
   * one said about "Send anyway".
   */
  forgetVerdicts() {
    this.generation += 1;
    this.sendAnywayAllowed = null;
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
   * @param {Element} root
   * @returns {ComposeState}
   */
  stateOf(root) {
    let entry = this.composes.get(root);
    if (!entry) {
      entry = { state: IDLE, bypass: false, via: "send", verdicts: new Map(), timer: null, observer: null, gate: null };
      this.composes.set(root, entry);
    }
    return entry;
  }

  /**
   * The capture-phase handler for clicks and keys.
   * @param {UserInput} event
   */
  onEvent(event) {
    // Our own dialog: the page must never see these events, and the dialog
    // handles them itself (see Dialog.handle).
    if (this.dialog.contains(event)) {
      event.stopImmediatePropagation();
      this.dialog.handle(event);
      return;
    }
    if (event.type !== "click" && event.type !== "keydown" && event.type !== "mouseup") return;
    if (this.releasing) return; // Our own replay of a send-options choice.
    if (this.dialog.isOpen()) {
      // While the dialog is up, the page is modal: nothing may send.
      if (this.adapter.sendTarget(event)) swallow(event);
      return;
    }
    if (event.type === "keydown" && (event.isComposing || event.keyCode === 229)) return; // IME
    const target = this.adapter.sendTarget(event);
    if (!target) {
      if (event.type === "click") this.onActivity(event);
      return;
    }
    if (target.roots) {
      this.gate(event, target.roots, target.choice);
      return;
    }
    const { root, via } = target;
    const entry = this.stateOf(root);
    if (entry.bypass) return; // Our own replay: let it through untouched.
    if (entry.state !== IDLE) {
      swallow(event);
      return;
    }

    let read;
    try {
      read = this.adapter.read(root);
    } catch (error) {
      swallow(event);
      this.fail(root, entry, "readFailed", String(error?.message ?? error));
      return;
    }
    const key = this.signature(read.compose);
    const known = entry.verdicts.get(key);
    // The verdict for exactly these recipients is already known to be
    // harmless: let the send through without delaying it at all.
    if (known?.ok && known.verdict.action === "none") return;

    swallow(event);
    entry.state = "checking";
    entry.via = via;
    // Whatever goes wrong, the user is told and the compose returns to idle:
    // a guard stuck in "checking" would swallow every later send.
    this.check(root, entry, read, key, known)
      .catch((error) => this.fail(root, entry, "internal", String(error?.message ?? error)))
      .catch(() => this.settle(root, entry));
  }

  /**
   * Asks the engine (unless the answer is cached) and acts on the verdict.
   * @param {Element} root
   * @param {ComposeState} entry
   * @param {ComposeRead} read
   * @param {string} key
   * @param {object|undefined} known
   */
  async check(root, entry, read, key, known) {
    const reply = known ?? (await this.ask({ kind: "evaluate", compose: read.compose }));
    if (!reply.ok) {
      entry.verdicts.delete(key);
      this.remember(reply, key);
      await this.fail(root, entry, reply.error?.code ?? "internal", reply.error?.message ?? "");
      return;
    }
    entry.verdicts.set(key, reply);
    this.remember(reply, key);
    await this.decide(root, entry, read, reply);
  }

  /**
   * Acts on an evaluate reply: send if nothing is exposed, else ask the user.
   * @param {Element} root
   * @param {ComposeState} entry
   * @param {ComposeRead} read
   * @param {object} reply
   */
  async decide(root, entry, read, reply) {
    if (reply.verdict.action === "none") {
      this.replay(root, entry);
      return;
    }
    completeRecipients(reply, read.compose);
    entry.state = "dialog";
    this.count("warned");
    const choice = await this.dialog.showVerdict(root, reply);
    // Only what was offered is carried out, whatever the dialog's page did.
    await this.act(root, entry, verdictChoices(reply).includes(choice) ? choice : "cancel", reply, read);
  }

  /**
   * Carries out what the user chose in the dialog.
   * @param {Element} root
   * @param {ComposeState} entry
   * @param {string} choice "move-and-send" | "move" | "send-anyway" | "cancel"
   * @param {object} reply The evaluate reply the dialog showed.
   * @param {ComposeRead} read
   */
  async act(root, entry, choice, reply, read) {
    if (choice === "send-anyway") {
      this.count("sentAnyway");
      this.replay(root, entry, true);
      return;
    }
    if (choice !== "move" && choice !== "move-and-send") {
      this.count("cancelled");
      this.settle(root, entry);
      return;
    }
    entry.state = "moving";
    this.dialog.showBusy();
    let verification;
    try {
      // The webmail may have changed the recipients while the dialog was up,
      // and typed addresses become chips once the focus moves (which the
      // move does). The plan must fit the compose as it is now, so commit
      // typed text, read again, and ask again if anything changed.
      await this.adapter.commitTyped(root);
      const now = this.adapter.read(root);
      if (this.signature(now.compose) !== this.signature(read.compose)) {
        const fresh = await this.ask({ kind: "evaluate", compose: now.compose });
        if (!fresh.ok) throw new Error(fresh.error?.message ?? "the engine did not answer");
        if (!fresh.plan) {
          // The move is moot: nothing is exposed any more (send, if that was
          // the choice), or what is exposed needs a new decision.
          this.dialog.close(root);
          entry.state = "checking";
          if (fresh.verdict.action !== "none") await this.decide(root, entry, now, fresh);
          else if (choice === "move-and-send") this.replay(root, entry, true);
          else this.settle(root, entry);
          return;
        }
        completeRecipients(fresh, now.compose);
        reply = fresh;
        read = now;
      }
      await this.adapter.applyPlan(root, reply.plan, read, reply.recipients);
      const after = this.adapter.read(root);
      // The engine re-plans from the original compose and compares; it does
      // not take our word for what the plan was.
      const answer = await this.ask({ kind: "verify", original: read.compose, compose: after.compose });
      verification = answer.ok ? answer.verification : null;
      if (!answer.ok) throw new Error(answer.error?.message ?? "the engine did not answer");
    } catch (error) {
      await this.dialog.showMoveFailed(root, null, String(error?.message ?? error), reply);
      this.settle(root, entry);
      return;
    }
    if (!verification.matches || !verification.sendable) {
      // Nothing is sent: the user sees what is still wrong and fixes it. A
      // move that went as planned but leaves someone on show (an unreadable
      // chip that everyone in Bcc would see) says so even after "Move to
      // BCC", so that the user does not take the compose for safe.
      if (verification.matches) this.count("moved", reply.plan.add.bcc.length);
      await this.dialog.showMoveFailed(root, verification, "", reply, verification.matches);
      this.settle(root, entry);
      return;
    }
    this.count("moved", reply.plan.add.bcc.length);
    if (choice === "move-and-send") this.replay(root, entry, true);
    else this.settle(root, entry);
  }

  /**
   * Warns when the recipients could not be checked at all: fail closed.
   * The user may try again or cancel, and send anyway only where the policy
   * is known to allow it.
   * @param {Element} root
   * @param {ComposeState} entry
   * @param {string} code
   * @param {string} detail
   */
  async fail(root, entry, code, detail) {
    entry.state = "dialog";
    this.count("warned");
    const cause = extensionAlive() ? code : "extensionUpdated";
    const sendAnyway = this.sendAnywayAllowed;
    const shown = await this.dialog.showUnverified(root, cause, detail, sendAnyway);
    const choice = unverifiedChoices(cause, sendAnyway).includes(shown) ? shown : "cancel";
    if (choice === "retry") {
      this.dialog.close(root);
      this.checkAgain(root, entry);
    } else if (choice === "send-anyway") {
      this.count("sentAnyway");
      this.replay(root, entry, true);
    } else {
      this.count("cancelled");
      this.settle(root, entry);
    }
  }

  /**
   * Reads the compose and runs its check from the start, as for a fresh
   * send: for a send-options choice (`outcome`) and for "Try again".
   * Whatever goes wrong ends in the "could not check" dialog or back in idle.
   * @param {Element} root
   * @param {ComposeState} entry
   */
  checkAgain(root, entry) {
    entry.state = "checking";
    let read;
    try {
      read = this.adapter.read(root);
    } catch (error) {
      this.fail(root, entry, "readFailed", String(error?.message ?? error));
      return;
    }
    const key = this.signature(read.compose);
    this.check(root, entry, read, key, entry.verdicts.get(key))
      .catch((error) => this.fail(root, entry, "internal", String(error?.message ?? error)))
      .catch(() => this.settle(root, entry));
  }

  /**
   * Sends the message the webmail's own way, exactly once.
   * @param {Element} root
   * @param {ComposeState} entry
   * @param {boolean} [confirmed] Whether the user chose to send in our dialog.
   */
  replay(root, entry, confirmed = false) {
    if (this.resolveGate(root, entry, true)) return;
    this.dialog.close(root);
    entry.bypass = true;
    let sent = false;
    try {
      sent = this.adapter.replaySend(root, entry.via ?? "send", confirmed);
    } finally {
      entry.bypass = false;
      entry.state = IDLE;
    }
    if (!sent) {
      entry.state = "dialog";
      this.dialog.showUnverified(root, "noSendButton", "").then(() => this.settle(root, entry));
    }
  }

  /** Back to idle, with the focus back in the compose. */
  settle(root, entry) {
    if (this.resolveGate(root, entry, false)) return;
    this.dialog.close(root);
    entry.state = IDLE;
    if (root.isConnected) this.adapter.focus(root);
  }

  // ------------------------------------------------------------------
  // Send-options choices: "Schedule send" in the menu beside Send, a time in
  // the schedule dialog (docs/send-paths.md). Such a choice may belong to a
  // compose the adapter cannot name (a menu or dialog rendered at the end of
  // the page), so it is checked against every compose it may send: each one
  // goes through the usual check, dialog and move, one after the other, and
  // only when every one of them may go is the choice made again, once. A
  // Cancel (or a plain "Move to BCC") on any of them leaves the choice unmade.

  /**
   * Handles a send-options choice (see `Adapter.sendTarget`).
   * @param {UserInput} event
   * @param {Element[]} roots The composes the choice may send.
   * @param {any} choice What `replayChoice` needs to make it again.
   */
  gate(event, roots, choice) {
    /** @type {Array<[Element, ComposeState]>} */
    const entries = roots.map((root) => [root, this.stateOf(root)]);
    if (entries.some(([, entry]) => entry.state !== IDLE)) {
      swallow(event);
      return;
    }
    // The harmless case costs nothing: every compose's verdict for exactly
    // its recipients is known to be "none", so the user's own event goes on.
    const known = entries.every(([root, entry]) => {
      try {
        const reply = entry.verdicts.get(this.signature(this.adapter.read(root).compose));
        return reply?.ok && reply.verdict.action === "none";
      } catch {
        return false;
      }
    });
    if (known) return;
    swallow(event);
    // Every compose is busy until the choice is decided: a second click on
    // the choice, or a Send meanwhile, is swallowed.
    for (const [, entry] of entries) entry.state = "checking";
    // Whatever goes wrong, nothing is sent and no compose stays busy.
    this.release(entries, choice).catch(() => {
      for (const [, entry] of entries) settleQuietly(entry);
    });
  }

  /**
   * Checks each compose in turn and makes the choice again once all may go.
   * @param {Array<[Element, ComposeState]>} entries
   * @param {any} choice
   */
  async release(entries, choice) {
    for (let i = 0; i < entries.length; i++) {
      const [root, entry] = entries[i];
      const go = root.isConnected ? await this.outcome(root, entry) : true;
      if (!go) {
        for (const [, rest] of entries.slice(i + 1)) settleQuietly(rest);
        return;
      }
    }
    this.releasing = true;
    let made = false;
    try {
      made = this.adapter.replayChoice(choice);
    } finally {
      this.releasing = false;
    }
    if (!made) {
      const [root, entry] = entries[0];
      entry.state = "dialog";
      await this.dialog.showUnverified(root, "noSendButton", "");
      this.settle(root, entry);
    }
  }

  /**
   * Runs the usual check of one compose and resolves with whether it may go
   * (nothing exposed, sent anyway, or moved and verified with "and send").
   * @param {Element} root
   * @param {ComposeState} entry
   * @returns {Promise<boolean>}
   */
  outcome(root, entry) {
    return new Promise((resolve) => {
      entry.gate = resolve;
      this.checkAgain(root, entry);
    });
  }

  /**
   * Ends a compose's part in a send-options choice instead of sending or
   * settling it: true if there was such a part.
   * @param {Element} root
   * @param {ComposeState} entry
   * @param {boolean} go
   */
  resolveGate(root, entry, go) {
    const resolve = entry.gate;
    if (!resolve) return false;
    entry.gate = null;
    this.dialog.close(root);
    entry.state = IDLE;
    if (!go && root.isConnected) this.adapter.focus(root);
    resolve(go);
    return true;
  }

  /**
   * Any activity inside a compose schedules an advance check, so that by
   * the time the user presses Send the verdict for the exact recipients is
   * known and a harmless send goes through untouched. Events outside any
   * compose cost one `closest()` lookup; with no compose open, nothing runs.
   * @param {Event} event
   */
  onActivity(event) {
    const root = this.adapter.composeOf(event.target);
    if (!root) return;
    const entry = this.stateOf(root);
    this.watch(root, entry);
    this.keepWarm(root);
    // Typing the body needs a first check of the compose, not one per key:
    // recipient changes after that are seen by the observer.
    if (entry.verdicts.size > 0 && isInMessageBody(/** @type {Node} */ (event.target))) return;
    this.schedulePrecheck(root, entry);
  }

  /**
   * Watches a compose's subtree for changes the user did not type (chips
   * created asynchronously, recipients added by the page), until it closes.
   */
  watch(root, entry) {
    if (entry.observer) return;
    entry.observer = new MutationObserver((records) => {
      if (!root.isConnected) {
        entry.observer.disconnect();
        entry.observer = null;
        return;
      }
      // Typing the message body changes no recipient: no need to re-read.
      if (records.every((record) => isInMessageBody(record.target))) return;
      this.schedulePrecheck(root, entry);
    });
    entry.observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-hovercard-id", "value"] });
  }

  /**
   * Keeps the background awake while `root` or any other seen compose is
   * open: one small message every `KEEP_WARM_MS`, stopped when the last
   * compose has closed.
   * @param {Element} root
   */
  keepWarm(root) {
    this.openComposes.add(root);
    if (this.warmTimer !== null) return;
    this.warmTimer = setInterval(() => {
      for (const open of this.openComposes) if (!open.isConnected) this.openComposes.delete(open);
      if (this.openComposes.size === 0) {
        clearInterval(this.warmTimer);
        this.warmTimer = null;
        return;
      }
      // The answer does not matter: a background that cannot be reached
      // now is reported by the next real request.
      this.ask({ kind: "ping" }).catch(() => {});
    }, KEEP_WARM_MS);
  }

  schedulePrecheck(root, entry) {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.precheck(root, entry), PRECHECK_DELAY_MS);
  }

  async precheck(root, entry) {
    if (!root.isConnected || entry.state !== IDLE) return;
    let read;
    try {
      read = this.adapter.read(root);
    } catch {
      return; // The send itself will read again and warn if it still fails.
    }
    const key = this.signature(read.compose);
    if (entry.verdicts.has(key)) return;
    const reply = await this.ask({ kind: "evaluate", compose: read.compose });
    // A reply made under a policy that has changed since must not be cached.
    if (!key.startsWith(`${this.generation}\u0000`)) return;
    this.remember(reply, key);
    if (!reply.ok) return;
    // Keep the cache small: only recent recipient sets matter.
    if (entry.verdicts.size > 8) entry.verdicts.clear();
    entry.verdicts.set(key, reply);
  }
}

/** The message body editors of Gmail, Outlook and Roundcube (plain text). */
const MESSAGE_BODY = "[g_editable=true], [contenteditable=true][aria-multiline=true], textarea#composebody";

/**
 * Whether a node is inside a message body editor.
 * @param {Node} node
 */
function isInMessageBody(node) {
  const element = node instanceof Element ? node : node.parentElement;
  return Boolean(element?.closest(MESSAGE_BODY));
}

/**
 * Back to idle without touching the focus: for a compose whose part in a
 * send-options choice ended before its check began.
 * @param {ComposeState} entry
 */
function settleQuietly(entry) {
  entry.gate = null;
  entry.state = IDLE;
}

/**
 * Stops an event completely: no default action, no other listener.
 * @param {Event} event
 */
function swallow(event) {
  event.preventDefault();
  event.stopImmediatePropagation();
  event.stopPropagation();
}

