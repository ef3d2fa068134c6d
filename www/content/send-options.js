/**
 * @file Send-options choices: "Schedule send" in the menu beside Send, a time
 * in the schedule dialog (docs/send-paths.md). Such a choice may belong to a
 * compose the adapter cannot name (a menu or dialog rendered at the end of
 * the page), so it is checked against every compose it may send: each one
 * goes through the guard's usual check, dialog and move, one after the
 * other, and only when every one of them may go is the choice made again,
 * once. A Cancel (or a plain "Move to BCC") on any of them, or a compose that
 * is no longer in the page when its turn comes, leaves the choice unmade.
 *
 * The gate drives the guard's state machine (www/content/guard.js) rather
 * than being part of it: it asks the guard to check a compose, and the guard
 * hands the end of that check back (`end`) instead of sending or settling.
 */

import { swallow } from "./dom.js";

/** @typedef {import("./guard.js").ComposeState} ComposeState */

export class SendOptionsGate {
  /**
   * @param {import("./guard.js").Guard} guard The state machine the gate drives:
   *   its `adapter`, `precheck`, `dialog`, `stateOf`, `checkAgain` and `settle`.
   */
  constructor(guard) {
    this.guard = guard;
    /** True while a choice is being made again (the guard lets it through). */
    this.releasing = false;
  }

  /**
   * Handles a send-options choice (see `Adapter.sendTarget`).
   * @param {import("./adapters.js").UserInput} event
   * @param {Element[]} roots The composes the choice may send.
   * @param {any} choice What `replayChoice` needs to make it again.
   */
  handle(event, roots, choice) {
    const { guard } = this;
    /** @type {Array<[Element, ComposeState]>} */
    const entries = roots.map((root) => [root, guard.stateOf(root)]);
    if (entries.some(([, entry]) => entry.state !== "idle")) {
      swallow(event);
      return;
    }
    // The harmless case costs nothing: every compose's verdict for exactly
    // its recipients is known to be "none", so the user's own event goes on.
    const known = entries.every(([root]) => {
      try {
        const { reply } = guard.precheck.lookup(root, guard.adapter.read(root).compose);
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
    const { guard } = this;
    for (let i = 0; i < entries.length; i++) {
      const [root, entry] = entries[i];
      // A compose that left the page was not checked: the page may have
      // drawn it again, with recipients nobody checked, and the choice
      // would send them. The choice stays unmade (the menu or dialog it
      // came from is still up, since the event was swallowed).
      const go = root.isConnected && (await this.outcome(root, entry));
      if (!go) {
        settleQuietly(entry);
        for (const [, rest] of entries.slice(i + 1)) settleQuietly(rest);
        return;
      }
    }
    this.releasing = true;
    let made = false;
    try {
      made = guard.adapter.replayChoice(choice);
    } finally {
      this.releasing = false;
    }
    if (!made) {
      const [root, entry] = entries[0];
      entry.state = "dialog";
      await guard.dialog.showUnverified(root, "noSendButton", "");
      guard.settle(root, entry);
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
      this.guard.checkAgain(root, entry);
    });
  }

  /**
   * Ends a compose's part in a choice instead of sending or settling it:
   * true if there was such a part (the guard then does nothing more).
   * @param {Element} root
   * @param {ComposeState} entry
   * @param {boolean} go
   */
  end(root, entry, go) {
    const resolve = entry.gate;
    if (!resolve) return false;
    entry.gate = null;
    this.guard.dialog.close(root);
    entry.state = "idle";
    if (!go && root.isConnected) this.guard.adapter.focus(root);
    resolve(go);
    return true;
  }
}

/**
 * Back to idle without touching the focus: for a compose whose part in a
 * choice ended before its check began.
 * @param {ComposeState} entry
 */
function settleQuietly(entry) {
  entry.gate = null;
  entry.state = "idle";
}
