/**
 * @file A minimal Marionette client over a TCP socket (Node `net`), enough to
 * drive Thunderbird, which neither Playwright nor WebDriver BiDi can
 * (BiDi sees no browsing contexts in Thunderbird's windows).
 *
 * The wire format: each frame is `<byte length>:<JSON>`. The server's first
 * frame is a hello object; then a command is `[0, id, name, params]` and its
 * reply `[1, id, error, result]`.
 */

import net from "node:net";

/**
 * @typedef {object} Marionette
 * @property {object} info The server's hello (`applicationType`, `marionetteProtocol`).
 * @property {(name: string, params?: object) => Promise<any>} cmd One command; rejects with the server's error.
 * @property {(body: string, ...args: any[]) => Promise<any>} chrome Runs `body`
 *   as an async function body in the current window (chrome context), with
 *   `arguments` = `args`; resolves with its (awaited) return value.
 * @property {() => void} close
 */

/**
 * Connects to a Marionette server.
 * @param {number} port
 * @param {string} [host]
 * @returns {Promise<Marionette>}
 */
export async function connectMarionette(port, host = "127.0.0.1") {
  const socket = net.connect(port, host);
  /** @type {Map<number, {resolve: (value: any) => void, reject: (error: Error) => void}>} */
  const pending = new Map();
  let buffer = Buffer.alloc(0);
  let nextId = 0;
  /** @type {(hello: object) => void} */
  let onHello = () => {};
  const hello = new Promise((resolve) => (onHello = resolve));
  socket.on("data", (data) => {
    buffer = Buffer.concat([buffer, data]);
    for (let colon; (colon = buffer.indexOf(0x3a)) >= 0; ) {
      const length = Number(buffer.subarray(0, colon).toString());
      if (buffer.length < colon + 1 + length) return;
      const message = JSON.parse(buffer.subarray(colon + 1, colon + 1 + length).toString("utf8"));
      buffer = buffer.subarray(colon + 1 + length);
      if (!Array.isArray(message)) {
        onHello(message);
        continue;
      }
      const [, id, error, result] = message;
      const waiter = pending.get(id);
      pending.delete(id);
      if (!waiter) continue;
      if (error) waiter.reject(Object.assign(new Error(`${error.error}: ${error.message}`), { error: error.error }));
      else waiter.resolve(result);
    }
  });
  socket.on("close", () => {
    for (const waiter of pending.values()) waiter.reject(new Error("the Marionette connection closed"));
    pending.clear();
  });
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  socket.on("error", () => {});
  const info = await hello;
  const cmd = (name, params = {}) =>
    new Promise((resolve, reject) => {
      pending.set(++nextId, { resolve, reject });
      const text = JSON.stringify([0, nextId, name, params]);
      socket.write(`${Buffer.byteLength(text)}:${text}`);
    });
  const chrome = async (body, ...args) =>
    (
      await cmd("WebDriver:ExecuteScript", {
        script: `return (async function () { ${body} }).apply(null, arguments);`,
        args,
      })
    ).value;
  return { info, cmd, chrome, close: () => socket.destroy() };
}
