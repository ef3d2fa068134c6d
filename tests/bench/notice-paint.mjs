/**
 * @file The compose notice's cost in headless Chromium with the built
 * extension on the Gmail and Outlook fixtures: from the click into the body
 * (which starts the precheck: 120 ms of quiet, the engine's reply) to the
 * notice on screen, and from the notice's insertion (the same task as the
 * reply's handling: it is drawn synchronously) to the first frame painted
 * after it — the "within one frame of the precheck's reply" figure. Used by
 * scripts/bench.mjs; `node tests/bench/notice-paint.mjs` prints the rows.
 */

import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { gmailRouter, gmailUrl } from "../e2e/lib/gmail-fixture.mjs";
import { outlookRouter, outlookUrl } from "../e2e/lib/outlook-fixture.mjs";

const WEBMAILS = {
  gmail: { host: "mail.google.com", router: gmailRouter, url: gmailUrl, body: "[g_editable=true]" },
  outlook: { host: "outlook.office.com", router: outlookRouter, url: (params) => outlookUrl(params), body: "[contenteditable=true][aria-multiline=true]" },
};
const FLAGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** Page-world instrumentation: when the notice's host is inserted, and the frame after it painted. */
const INSTRUMENT = `(() => {
  new MutationObserver((records, observer) => {
    const host = document.querySelector('[data-bcc-guard="notice"]');
    if (!host || window.__noticeInsertedAt) return;
    window.__noticeInsertedAt = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => { window.__noticePaintedAt = performance.now(); }, 0));
  }).observe(document.body, { childList: true, subtree: true });
})()`;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** n exposed recipients at 97 organisations (at least three parties). */
function exposed(n) {
  const to = Array.from({ length: n }, (_, i) => `person${i}@org${i % 97}.example`);
  if (n < 3) to.push("a@x1.example", "b@x2.example", "c@x3.example");
  return { to };
}

/**
 * @param {string} extensionDir
 * @returns {Promise<Array<{webmail: string, recipients: number, focus_to_paint_ms: number, insert_to_paint_ms: number}>>}
 */
export async function noticePaintBenchmark(extensionDir) {
  const context = await chromium.launchPersistentContext("", {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`, ...FLAGS],
  });
  for (const webmail of Object.values(WEBMAILS)) {
    await context.route(`https://${webmail.host}/**`, (r) => {
      const fixture = webmail.router(new URL(r.request().url()));
      return r.fulfill({ status: fixture.status, headers: fixture.headers, body: fixture.body });
    });
  }
  const page = await context.newPage();
  const rows = [];
  try {
    for (const [name, webmail] of Object.entries(WEBMAILS)) {
      for (const n of [3, 50, 1000]) {
        const total = [];
        const frame = [];
        for (let i = 0; i < 5; i++) {
          await page.goto(webmail.url({ ...exposed(n), run: Math.random() }));
          await page.waitForFunction(() => document.documentElement.dataset.fixtureReady === "1");
          // The background is awake (a first check): what is measured is the notice, not a cold start.
          await page.evaluate(INSTRUMENT);
          const start = await page.evaluate(`(() => { const at = performance.now(); document.querySelector(${JSON.stringify(webmail.body)}).focus(); return at; })()`);
          await page.waitForFunction(() => window.__noticePaintedAt, null, { timeout: 20_000 });
          const [inserted, painted] = await page.evaluate("[window.__noticeInsertedAt, window.__noticePaintedAt]");
          total.push(painted - start);
          frame.push(painted - inserted);
        }
        rows.push({ webmail: name, recipients: n, focus_to_paint_ms: median(total), insert_to_paint_ms: median(frame) });
      }
    }
  } finally {
    await context.close();
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/chrome");
  for (const row of await noticePaintBenchmark(dir)) console.log(JSON.stringify(row));
}
