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
      (error) => errorReply("unreachable", String(error?.message ?? error)),
    );
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Fills in what an `evaluate` reply leaves out because the sender already has
 * it: a chip's own name, and its address when the engine found it already
 * normalised (see src/engine/protocol.rs). Afterwards every readable
 * recipient has `address`, and every named one `name`.
 * @param {object} reply An `evaluate` reply (changed in place).
 * @param {object} compose The `compose` the request carried.
 * @returns {object} The reply.
 */
export function completeRecipients(reply, compose) {
  for (const recipient of reply.recipients ?? []) {
    const entry = compose[recipient.field]?.[recipient.entry];
    if (!entry) continue;
    if (recipient.address === undefined && recipient.class !== "unreadable") recipient.address = entry.address;
    if (recipient.name === undefined && entry.name) recipient.name = entry.name;
  }
  return reply;
}
