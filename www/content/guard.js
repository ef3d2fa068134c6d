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
 * only when all may go (send-options.js).
 *
 * While a compose is not idle, further send attempts on it (double clicks,
 * key auto-repeat, impatient Ctrl+Enter) are swallowed, so a confirmed
 * message is sent exactly once. The replay is one synthetic click on the
 * webmail's own Send button, made while a one-shot in-memory bypass is set;
 * `dispatchEvent` is synchronous, so the bypass cannot leak to a later event.
 *
 * Next to it: the precheck (precheck.js), which knows the verdict for a
 * compose's recipients ahead of its send, the notice in each compose that
 * shows that verdict (notice.js: its *Move them to Bcc* and *Details* run
 * through this machine with nothing sent), the send-options gate
 * (send-options.js), the health watch (health.js), which tells a compose
 * the adapter cannot read ("blind") from the broad finder's view, and the
 * move transaction it shares with Thunderbird and Outlook
 * (www/lib/move-transaction.js).
 *
 * A send the adapter does not recognise, in a compose the health calls
 * blind, is held under the engine's `whenBlind` "ask" (and while it is not
 * known): the "could not check" dialog opens, with "Send anyway" as the
 * policy allows; under "notice" it goes on, the badge and the compose's
 * own notice ("Not protected", notice.js) having said so.
 */

import { askEngine, completeRecipients } from "../lib/engine-client.js";
import { extensionAlive } from "../lib/browser.js";
import { previewChoices, unverifiedChoices, verdictChoices } from "../lib/choices.js";
import { Dialog } from "../lib/dialog.js";
import { moveToBcc } from "../lib/move-transaction.js";
import { pageHost, simulateClick, swallow } from "./dom.js";
import { HealthWatch } from "./health.js";
import { Notices } from "./notice.js";
import { Precheck } from "./precheck.js";
import { SendOptionsGate } from "./send-options.js";
import { describeError } from "../lib/errors.js";

/**
 * @typedef {import("./adapters.js").Adapter} Adapter
 * @typedef {import("./adapters.js").ComposeRead} ComposeRead
 * @typedef {import("./adapters.js").UserInput} UserInput
 *
 * @typedef {object} ComposeState The guard's state of one compose.
 * @property {string} state "idle" | "checking" | "dialog" | "moving".
 * @property {boolean} bypass Set around our own replay of its send.
 * @property {any} via Which send it was (`SendTarget.via`).
 * @property {((go: boolean) => void)|null} gate Its part in a send-options
 *   choice (send-options.js).
 */

/** Per-compose state: "idle" | "checking" | "dialog" | "moving". */
const IDLE = "idle";

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
    /** The verdicts known ahead of a send, and what they say about the policy. */
    this.precheck = new Precheck({ adapter, ask, busy: (root) => this.stateOf(root).state !== IDLE });
    /** Send-options choices ("Schedule send"), checked through this machine. */
    this.options = new SendOptionsGate(this);
    /** Whether each compose can be seen at all (the broad finder against the adapter). */
    this.health = new HealthWatch(adapter);
    /** Set around our own replay of a blind compose's send. */
    this.blindBypass = false;
    /** The blind composes whose dialog is open or whose send is being replayed. */
    this.blindBusy = new WeakSet();
    /** Whether a question about the policy (`learnPolicyNow`) is on its way. */
    this.asking = false;
    /** The notice in each compose, showing the precheck's verdicts. */
    this.notices = new Notices({
      adapter,
      actions: {
        move: (root) => this.preview(root, "move"),
        details: (root) => this.preview(root, "details"),
        focus: (root) => adapter.focus(root),
      },
    });
    this.precheck.onVerdict((root, reply, compose) => this.notices.verdict(root, reply, compose));
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
    this.health.install();
    // A blind compose needs the policy's word on blind sends before its
    // send: ask the engine once (a verdict on an empty compose carries it).
    this.health.onHealth((root, state) => {
      if (state === "blind" && this.precheck.whenBlind === null) this.learnPolicyNow();
      // The compose says so itself: "Not protected" while it is blind.
      this.notices.health(root, state);
    });
  }

  /** Asks the engine what the policy says, without a compose to check. */
  learnPolicyNow() {
    if (this.asking) return;
    this.asking = true;
    const generation = this.precheck.generation;
    const compose = { account: null, host: pageHost(), complete: true, to: [], cc: [], bcc: [] };
    this.ask({ kind: "evaluate", compose })
      .then((reply) => {
        if (generation === this.precheck.generation) this.precheck.learnPolicy(reply);
      })
      .catch(() => {})
      .finally(() => {
        this.asking = false;
      });
  }

  /**
   * Forgets every known verdict, when the policy changed (precheck.js).
   */
  forgetVerdicts() {
    this.precheck.forget();
    // A compose that is blind now needs the new policy's word on it.
    if (this.health.entries().some(([, { state }]) => state === "blind")) this.learnPolicyNow();
  }

  /**
   * @param {Element} root
   * @returns {ComposeState}
   */
  stateOf(root) {
    let entry = this.composes.get(root);
    if (!entry) {
      entry = { state: IDLE, bypass: false, via: "send", gate: null };
      this.composes.set(root, entry);
    }
    return entry;
  }

  /** @param {Event} event Activity in the page: the precheck's. */
  onActivity(event) {
    this.precheck.activity(event);
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
    // A compose's notice: the page does not see its events either (no
    // webmail shortcut fires on its buttons), and only its buttons act.
    if (this.notices.contains(event)) {
      event.stopImmediatePropagation();
      this.notices.handle(event);
      return;
    }
    if (event.type !== "click" && event.type !== "keydown" && event.type !== "mouseup") return;
    if (this.options.releasing || this.blindBypass) return; // Our own replay of a send-options choice or a blind send.
    if (this.dialog.isOpen()) {
      // While the dialog is up, the page is modal: nothing may send.
      if (this.adapter.sendTarget(event) || this.health.blindSend(event)) swallow(event);
      return;
    }
    if (event.type === "keydown" && (event.isComposing || event.keyCode === 229)) return; // IME
    const target = this.adapter.sendTarget(event);
    if (!target || target.roots?.length === 0) {
      // Not a send the adapter knows (or a send-options choice it cannot
      // tie to any compose): a send in a compose it cannot see is not let
      // through unseen.
      const blind = this.health.blindSend(event);
      if (blind) {
        this.holdBlind(event, blind);
        return;
      }
    }
    if (!target) {
      if (event.type === "click") this.onActivity(event);
      return;
    }
    if (target.roots) {
      this.options.handle(event, target.roots, target.choice);
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
      this.fail(root, entry, "readFailed", describeError(error));
      return;
    }
    const { key, reply: known } = this.precheck.lookup(root, read.compose);
    // The verdict for exactly these recipients is already known to be
    // harmless: let the send through without delaying it at all.
    if (known?.ok && known.verdict.action === "none") return;

    swallow(event);
    entry.state = "checking";
    entry.via = via;
    // Whatever goes wrong, the user is told and the compose returns to idle:
    // a guard stuck in "checking" would swallow every later send.
    this.check(root, entry, read, key, known)
      .catch((error) => this.fail(root, entry, "internal", describeError(error)))
      .catch(() => this.settle(root, entry));
  }

  /**
   * A notice's *Move them to Bcc* or *Details*: the dialog's move, or the
   * dialog offering the move and no send, on the compose as it is now,
   * through the same states as a send so that a Send meanwhile is
   * swallowed. Nothing is sent, whatever happens.
   * @param {Element} root
   * @param {"move"|"details"} what
   */
  preview(root, what) {
    const entry = this.stateOf(root);
    if (entry.state !== IDLE || this.dialog.isOpen() || !root.isConnected) return;
    let read;
    try {
      read = this.adapter.read(root);
    } catch {
      return; // Nothing to act on; the send itself will say it cannot read.
    }
    const { key, reply: known } = this.precheck.lookup(root, read.compose);
    entry.state = "checking";
    const run = async () => {
      const reply = known ?? (await this.ask({ kind: "evaluate", compose: read.compose }));
      this.precheck.learn(root, key, reply);
      if (!reply.ok || reply.verdict.action === "none") {
        this.settle(root, entry);
        return;
      }
      completeRecipients(reply, read.compose);
      if (what === "move") await this.act(root, entry, "move", reply, read, false);
      else await this.decide(root, entry, read, reply, false);
    };
    run().catch(() => this.settle(root, entry));
  }

  /**
   * Asks the engine (unless the answer is known) and acts on the verdict.
   * @param {Element} root
   * @param {ComposeState} entry
   * @param {ComposeRead} read
   * @param {string} key The recipients' key (`Precheck.lookup`).
   * @param {object|undefined} known
   */
  async check(root, entry, read, key, known) {
    const reply = known ?? (await this.ask({ kind: "evaluate", compose: read.compose }));
    this.precheck.learn(root, key, reply);
    if (!reply.ok) {
      await this.fail(root, entry, reply.error?.code ?? "internal", reply.error?.message ?? "");
      return;
    }
    await this.decide(root, entry, read, reply);
  }

  /**
   * Acts on an evaluate reply: send if nothing is exposed, else ask the user.
   * @param {Element} root
   * @param {ComposeState} entry
   * @param {ComposeRead} read
   * @param {object} reply
   * @param {boolean} [send] Whether a send is being checked; false for the
   *   notice's *Details*, which offers no send and sends nothing.
   */
  async decide(root, entry, read, reply, send = true) {
    if (reply.verdict.action === "none") {
      if (send) this.replay(root, entry);
      else this.settle(root, entry);
      return;
    }
    completeRecipients(reply, read.compose);
    entry.state = "dialog";
    if (send) this.count("warned");
    const offered = send ? verdictChoices(reply) : previewChoices(reply);
    const choice = await this.dialog.showVerdict(root, reply, offered);
    // Only what was offered is carried out, whatever the dialog's page did.
    await this.act(root, entry, offered.includes(choice) ? choice : "cancel", reply, read, send);
  }

  /**
   * Carries out what the user chose in the dialog.
   * @param {Element} root
   * @param {ComposeState} entry
   * @param {string} choice "move-and-send" | "move" | "send-anyway" | "cancel"
   * @param {object} reply The evaluate reply the dialog showed.
   * @param {ComposeRead} read
   * @param {boolean} [send] Whether a send is being checked (see `decide`).
   */
  async act(root, entry, choice, reply, read, send = true) {
    if (!send && choice !== "move") choice = "cancel";
    if (choice === "send-anyway") {
      this.count("sentAnyway");
      this.replay(root, entry, true);
      return;
    }
    if (choice !== "move" && choice !== "move-and-send") {
      if (send) this.count("cancelled");
      this.settle(root, entry);
      return;
    }
    entry.state = "moving";
    this.dialog.showBusy();
    // Typed addresses become chips once the focus moves (which the move
    // does), so commit them first; the transaction then reads the compose
    // again and, if the recipients changed while the dialog was up, plans
    // for them as they are now.
    try {
      await this.adapter.commitTyped(root);
    } catch (error) {
      await this.dialog.showMoveFailed(root, null, describeError(error), reply);
      this.settle(root, entry);
      return;
    }
    const done = await moveToBcc({
      ask: this.ask,
      read,
      reply,
      recheck: true,
      hands: {
        read: () => this.adapter.read(root),
        write: (plan, recipients, planned) => this.adapter.applyPlan(root, plan, planned, recipients),
      },
    });
    if (done.outcome === "moot") {
      // Nothing is exposed any more (send, if that was the choice), or what
      // is exposed needs a new decision.
      this.dialog.close(root);
      entry.state = "checking";
      if (done.reply.verdict.action !== "none") await this.decide(root, entry, done.read, done.reply, send);
      else if (choice === "move-and-send") this.replay(root, entry, true);
      else this.settle(root, entry);
      return;
    }
    if (done.outcome === "failed") {
      await this.dialog.showMoveFailed(root, null, done.detail, done.reply);
      this.settle(root, entry);
      return;
    }
    if (done.moved) this.count("moved", done.moved);
    if (done.outcome !== "sendable") {
      // Nothing is sent: the user sees what is still wrong and fixes it. A
      // move that went as planned but leaves someone on show (an unreadable
      // chip that everyone in Bcc would see) says so even after "Move to
      // BCC", so that the user does not take the compose for safe.
      await this.dialog.showMoveFailed(root, done.verification, "", done.reply, done.outcome === "unsendable");
      this.settle(root, entry);
      return;
    }
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
    const sendAnyway = this.precheck.sendAnywayAllowed;
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
   * A send in a blind compose: under `whenBlind` "notice" it goes on (the
   * badge said the compose is not protected); otherwise — "ask", or not
   * known yet — it is held and the "could not check" dialog opens, with
   * "Send anyway" only where the policy is known to allow it.
   * @param {UserInput} event
   * @param {{root: Element, element: Element|null}} blind
   */
  holdBlind(event, { root, element }) {
    if (this.precheck.whenBlind === "notice") return;
    swallow(event);
    if (this.blindBusy.has(root)) return;
    this.blindBusy.add(root);
    this.count("warned");
    const sendAnyway = this.precheck.sendAnywayAllowed;
    const decided = this.dialog.showUnverified(root, "blind", "", sendAnyway).then(async (shown) => {
      const choice = unverifiedChoices("blind", sendAnyway).includes(shown) ? shown : "cancel";
      this.dialog.close(root);
      if (choice !== "send-anyway") {
        this.count("cancelled");
        return;
      }
      if (!element?.isConnected) {
        // The page re-rendered its Send meanwhile: say so, send nothing.
        await this.dialog.showUnverified(root, "noSendButton", "");
        this.dialog.close(root);
        return;
      }
      this.count("sentAnyway");
      this.blindBypass = true;
      try {
        simulateClick(element);
      } finally {
        this.blindBypass = false;
      }
    });
    // Whatever happens, the compose takes sends again afterwards.
    decided.catch(() => {}).finally(() => this.blindBusy.delete(root));
  }

  /**
   * Reads the compose and runs its check from the start, as for a fresh
   * send: for a send-options choice and for "Try again".
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
      this.fail(root, entry, "readFailed", describeError(error));
      return;
    }
    const { key, reply: known } = this.precheck.lookup(root, read.compose);
    this.check(root, entry, read, key, known)
      .catch((error) => this.fail(root, entry, "internal", describeError(error)))
      .catch(() => this.settle(root, entry));
  }

  /**
   * Sends the message the webmail's own way, exactly once.
   * @param {Element} root
   * @param {ComposeState} entry
   * @param {boolean} [confirmed] Whether the user chose to send in our dialog.
   */
  replay(root, entry, confirmed = false) {
    if (this.options.end(root, entry, true)) return;
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

  /**
   * Back to idle, with the focus back in the compose.
   * @param {Element} root
   * @param {ComposeState} entry
   */
  settle(root, entry) {
    if (this.options.end(root, entry, false)) return;
    this.dialog.close(root);
    entry.state = IDLE;
    if (!root.isConnected) return;
    this.adapter.focus(root);
    // What the compose holds now (moved, or not) is checked ahead again,
    // so that its notice says what a Send would do now.
    this.precheck.track(root);
  }
}
