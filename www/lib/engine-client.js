/**
 * @file How content scripts and extension pages ask the background's engine.
 *
 * A content script cannot run the WASM engine itself (webmail CSPs forbid it),
 * so it sends a protocol request with `runtime.sendMessage`. The background
 * may be asleep, still loading, or broken; whatever happens, the caller gets a
 * reply object within a bound. A failed reply has `ok: false`, and callers
 * must treat it as "could not verify" and warn, never as "nothing to do".
 */

import { ext } from "./browser.js";
import { describeError } from "./errors.js";

/** The protocol version; a test checks it equals the engine's `protocolVersion()`. */
export const PROTOCOL_VERSION = 1;

/**
 * How long to wait for the background. A cold service worker instantiates
 * the WASM in tens of milliseconds; beyond this bound something is wrong and
 * the user is better served by a warning than by a hung Send button.
 */
export const ENGINE_TIMEOUT_MS = 3000;

/**
 * An error reply in the protocol's shape.
 * @param {string} code Stable error code.
 * @param {string} message Human-readable detail, English.
 * @returns {{v: number, ok: false, kind: "error", error: {code: string, message: string}}}
 */
export function errorReply(code, message) {
  return { v: PROTOCOL_VERSION, ok: false, kind: "error", error: { code, message } };
}

/**
 * Sends a request to the engine and resolves with its reply, or with an error
 * reply on timeout, on a messaging failure, or on an answer that is not a
 * protocol reply. Never rejects.
 * @param {object} request A request without `v`; the version is added here.
 * @param {object} [options]
 * @param {number} [options.timeoutMs] The bound.
 * @param {(message: object) => Promise<any>} [options.send] The transport;
 *   `runtime.sendMessage` unless a test supplies another.
 * @returns {Promise<object>} The reply.
 */
export async function askEngine(request, options = {}) {
  const { timeoutMs = ENGINE_TIMEOUT_MS, send = (m) => ext().runtime.sendMessage(m) } = options;
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(
      () => resolve(errorReply("timeout", `no answer from the background within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  const answer = Promise.resolve()
    .then(() => send({ ...request, v: PROTOCOL_VERSION }))
    .then(
      (reply) =>
        reply && typeof reply === "object" && typeof reply.ok === "boolean"
          ? reply
          : errorReply("unreachable", "the background gave no protocol reply"),
      (error) => errorReply("unreachable", describeError(error)),
    );
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The letters of the reply's `field` and `class` columns (src/engine/protocol.rs). */
const FIELDS = { t: "to", c: "cc", b: "bcc" };
const CLASSES = { i: "internal", t: "trusted", e: "external", u: "unreadable" };

/**
 * Turns an `evaluate` reply's recipient columns (see `RecipientColumns` in
 * src/engine/protocol.rs) into one object per recipient, and fills in what
 * the reply leaves out because the sender already has it: a chip's own name,
 * and its address when the engine found it already normalised. Afterwards
 * each recipient is `{field, entry, class}` with `address` if readable,
 * `name` if named, `spec`, `raw` and `deceptive` where they apply.
 * Idempotent: a reply already completed (its recipients an array) is
 * returned unchanged, as happens when the guard reuses a precheck's reply.
 * @param {object} reply An `evaluate` reply (changed in place).
 * @param {object} compose The `compose` the request carried.
 * @returns {object} The reply.
 */
export function completeRecipients(reply, compose) {
  const columns = reply.recipients;
  if (!columns || Array.isArray(columns)) return reply;
  const next = { to: 0, cc: 0, bcc: 0 };
  const deceptive = new Set(columns.deceptive ?? []);
  reply.recipients = Array.from(columns.field, (letter, index) => {
    const field = FIELDS[letter];
    const entry = columns.entry ? columns.entry[index] : next[field]++;
    const recipient = { field, entry, class: CLASSES[columns.class[index]] };
    const sent = compose[field]?.[entry];
    const address = columns.address?.[index] ?? (recipient.class === "unreadable" ? null : sent?.address);
    if (address != null) recipient.address = address;
    const name = columns.name?.[index] ?? sent?.name;
    if (name) recipient.name = name;
    for (const key of ["spec", "raw"]) {
      const value = columns[key]?.[index];
      if (value != null) recipient[key] = value;
    }
    if (deceptive.has(index)) recipient.deceptive = true;
    return recipient;
  });
  return reply;
}
