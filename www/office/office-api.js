/**
 * @file The few Office.js calls the add-in makes, as promises, and what the
 * running Outlook can do (requirement sets, recipient limits, language).
 *
 * This module is part of the classic-Windows handler file, which Outlook
 * runs in a JavaScript-only runtime that takes ECMAScript 2016 before
 * Version 2403: it uses promises, never `async`/`await` (see
 * scripts/lib/es2016.mjs for what the build checks).
 */

import { describeError } from "../lib/errors.js";

/** Office.js's status of a successful call (`Office.AsyncResultStatus.Succeeded`). */
const SUCCEEDED = "succeeded";

/** At most this many recipients per `setAsync` or `addAsync` call, on every client. */
export const RECIPIENTS_PER_CALL = 100;

/**
 * An Office.js call that failed, with Office's error code (such as
 * `NumberOfRecipientsExceeded`) when it gave one.
 */
export class OfficeCallError extends Error {
  /**
   * @param {string} method
   * @param {{code?: string|number, name?: string, message?: string}|undefined} error
   */
  constructor(method, error) {
    const code = (error && (error.name || error.code)) || "unknown";
    super(`${method} failed: ${code}${error && error.message ? `: ${error.message}` : ""}`);
    this.name = "OfficeCallError";
    this.code = String(code);
  }
}

/**
 * Calls an Office.js method that takes a callback last and resolves with the
 * result's value, or rejects with an `OfficeCallError`. A method that throws
 * (an old client without it, arguments it refuses) rejects too.
 * @param {object} target Such as `item.to`.
 * @param {string} method Such as `"getAsync"`.
 * @param {unknown[]} [args] The arguments before the callback.
 * @returns {Promise<any>}
 */
export function officeCall(target, method, args) {
  return new Promise((resolve, reject) => {
    if (!target || typeof target[method] !== "function") {
      reject(new OfficeCallError(method, { name: "NotSupported", message: "this Outlook has no such method" }));
      return;
    }
    try {
      target[method].apply(target, (args || []).concat([
        (result) => {
          if (result && result.status === SUCCEEDED) resolve(result.value);
          else reject(new OfficeCallError(method, result && result.error));
        },
      ]));
    } catch (error) {
      reject(new OfficeCallError(method, { name: "Exception", message: describeError(error) }));
    }
  });
}

/** The manifest permission `item.sendAsync` needs (office-js reference). */
export const SEND_PERMISSION = "ReadWriteMailbox";

/**
 * @typedef {object} Client What the running Outlook supports, and what the
 *   add-in's permission lets it do. Each flag names the feature it gates.
 * @property {string} platform `PC` (classic Windows), `Mac`, `OfficeOnline`
 *   (the web and new Outlook), or what else Office reports.
 * @property {boolean} markdown `errorMessageMarkdown` (Mailbox 1.15).
 * @property {boolean} dialogPane The Smart Alerts dialog's button
 *   (`cancelLabel`, `commandId`) can open a task pane (Mailbox 1.14).
 * @property {boolean} dialogFunction The dialog's button can run a function
 *   command (Mailbox 1.15).
 * @property {boolean} sendModeOverride The dialog can offer Outlook's own
 *   Send Anyway (`sendModeOverride: promptUser`, Mailbox 1.14).
 * @property {boolean} sendAsync `item.sendAsync` works: Mailbox 1.15 and the
 *   `ReadWriteMailbox` permission (with `ReadWriteItem` Outlook refuses it).
 * @property {number} readCap The most recipients `getAsync` returns per
 *   field; a field read with this many may hold more (Infinity: no limit).
 * @property {number} writeCap The most recipients a field may hold when the
 *   add-in writes it (Infinity: no limit).
 * @property {string} language The user's display language, such as `ja-JP`.
 */

/**
 * What the running Outlook supports, from its requirement sets and platform.
 *
 * Recipient limits (office-js reference, `Office.Recipients`): `getAsync`
 * returns at most 500 per field in classic Windows up to Mailbox 1.15 and
 * 1,000 from 1.16, 1,000 on the web and in new Outlook, and has no limit in
 * the new Outlook on Mac (the only Mac UI with Smart Alerts); a field may
 * hold at most 500 (1,000 from 1.16) recipients when written in classic
 * Windows, with no limit on the web, in new Outlook and on the new Mac UI.
 * An unknown platform gets the classic limits: too low a cap makes a warning
 * or a refused move, too high a one an unnoticed truncation.
 * @param {any} office The `Office` namespace.
 * @param {string} permissions The manifest's permission, as the package
 *   wrote it (www/office/package-fields.js).
 * @returns {Client}
 */
export function clientOf(office, permissions) {
  const context = office && office.context;
  const requirements = context && context.requirements;
  const has = (version) => {
    try {
      return Boolean(requirements && requirements.isSetSupported("Mailbox", version));
    } catch (error) {
      return false;
    }
  };
  const platform = String((context && (context.platform || (context.diagnostics && context.diagnostics.platform))) || "unknown");
  const modern = has("1.16");
  let readCap = modern ? 1000 : 500;
  let writeCap = modern ? 1000 : 500;
  if (platform === "OfficeOnline") {
    readCap = 1000;
    writeCap = Infinity;
  } else if (platform === "Mac") {
    readCap = Infinity;
    writeCap = Infinity;
  }
  return {
    platform,
    markdown: has("1.15"),
    dialogPane: has("1.14"),
    dialogFunction: has("1.15"),
    sendModeOverride: has("1.14"),
    sendAsync: has("1.15") && permissions === SEND_PERMISSION,
    readCap,
    writeCap,
    language: String((context && context.displayLanguage) || "en"),
  };
}
