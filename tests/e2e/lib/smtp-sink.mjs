/**
 * @file A real SMTP server on loopback that keeps every message it is given:
 * the envelope (MAIL FROM, every RCPT TO) and the parsed headers. The
 * end-to-end suites of the hosts that really send (Roundcube, Thunderbird)
 * assert on what reaches it — what leaves the mail client — rather than on
 * what a page shows.
 *
 * It runs inside the test's own Node process on a port the system chooses,
 * so there is no further service to start or to leave behind. It offers no
 * AUTH and no STARTTLS: the clients under test are configured for plain SMTP
 * without a password.
 */

import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/**
 * @typedef {object} ReceivedMessage
 * @property {string} mailFrom The envelope sender.
 * @property {string[]} rcptTo The envelope recipients, lower-cased, in order.
 * @property {string[]} to The addresses in the To header, lower-cased.
 * @property {string[]} cc The addresses in the Cc header, lower-cased.
 * @property {string[]} bcc The addresses in a Bcc header (there should be none).
 * @property {boolean} hasBccHeader Whether the message carried a Bcc header at all.
 * @property {string} subject
 * @property {Map<string, any>} headers Every parsed header, by lower-case name.
 * @property {string} raw The message as received.
 *
 * @typedef {object} SmtpSink
 * @property {number} port The loopback port it listens on.
 * @property {ReceivedMessage[]} messages Every message so far, in arrival order.
 * @property {(count: number, timeoutMs?: number) => Promise<ReceivedMessage[]>} waitFor
 *   Resolves once at least `count` messages have arrived; rejects on timeout
 *   with how many did.
 * @property {(ms: number) => Promise<number>} settle Waits `ms` and returns
 *   how many messages arrived in all — for asserting that nothing (more) was sent.
 * @property {() => void} clear Forgets the messages so far.
 * @property {() => Promise<void>} close Stops listening.
 */

/**
 * The addresses of one parsed address header, flattening groups.
 * @param {any} header mailparser's AddressObject, an array of them, or undefined.
 * @returns {string[]}
 */
function addressesOf(header) {
  if (!header) return [];
  const objects = Array.isArray(header) ? header : [header];
  /** @type {string[]} */
  const out = [];
  /** @param {any[]} list */
  const walk = (list) => {
    for (const entry of list) {
      if (entry.group) walk(entry.group);
      else if (entry.address) out.push(entry.address.toLowerCase());
    }
  };
  for (const object of objects) walk(object.value ?? []);
  return out;
}

/**
 * Starts a sink on 127.0.0.1.
 * @returns {Promise<SmtpSink>}
 */
export async function startSmtpSink() {
  /** @type {ReceivedMessage[]} */
  const messages = [];
  /** @type {Set<() => void>} */
  const waiters = new Set();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onData(stream, session, done) {
      const chunks = [];
      stream.on("data", (chunk) => chunks.push(chunk));
      stream.on("error", done);
      stream.on("end", async () => {
        try {
          const raw = Buffer.concat(chunks).toString("utf8");
          const parsed = await simpleParser(raw);
          messages.push({
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            rcptTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            to: addressesOf(parsed.to),
            cc: addressesOf(parsed.cc),
            bcc: addressesOf(parsed.bcc),
            hasBccHeader: parsed.headers.has("bcc"),
            subject: parsed.subject ?? "",
            headers: parsed.headers,
            raw,
          });
          for (const wake of waiters) wake();
          done();
        } catch (error) {
          done(/** @type {Error} */ (error));
        }
      });
    },
  });

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(undefined));
  });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  return {
    port,
    messages,
    waitFor(count, timeoutMs = 15000) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the SMTP sink received ${messages.length} message(s), expected ${count} within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(messages);
        };
        waiters.add(check);
      });
    },
    async settle(ms) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return messages.length;
    },
    clear() {
      messages.length = 0;
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
