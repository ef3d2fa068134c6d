/**
 * @file What the broad compose finder (www/content/finder.js) and the
 * health's judgement (www/content/health.js) cost a page: milliseconds per
 * scan, the work one throttled mutation batch triggers, on the Gmail and
 * Outlook fixtures with 1 and 1,000 recipients, in headless Chromium. The
 * modules are bundled as they are and run in the page itself (no
 * extension), so the figure is the finder's own. Used by scripts/bench.mjs;
 * `node tests/bench/finder.mjs` prints the rows.
 */

import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { gmailRouter, gmailUrl } from "../e2e/lib/gmail-fixture.mjs";
import { outlookRouter, outlookUrl } from "../e2e/lib/outlook-fixture.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The page-side program: the finder, the judgement and the two adapters. */
async function program() {
  const entry = `
    import { findComposes, rulesFor } from "./www/content/finder.js";
    import { HealthWatch, judge } from "./www/content/health.js";
    import { gmail } from "./www/content/gmail.js";
    import { outlook } from "./www/content/outlook.js";
    window.__finderBench = (name, runs) => {
      const adapter = name === "gmail" ? gmail : outlook;
      const rules = rulesFor(name);
      const find = [], scan = [];
      let states = [];
      for (let i = 0; i < runs; i++) {
        let t = performance.now();
        const found = findComposes(document, rules);
        find.push(performance.now() - t);
        t = performance.now();
        states = findComposes(document, rules).map((f) => judge(adapter, f).health.state);
        scan.push(performance.now() - t);
      }
      const median = (v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
      return { find_ms: median(find), scan_ms: median(scan), states, batch_ms: median(batches(adapter)) };
    };
    // One mutation batch as a paste of 1,000 recipients makes it (a chip
    // per record, added to the To list): what the health's observer spends
    // deciding whether it needs a scan.
    function batches(adapter) {
      const watch = new HealthWatch(adapter);
      watch.scan();
      const list = document.querySelector("[role=listbox]") ?? document.querySelector("[contenteditable=true][role=textbox]");
      const chip = list.querySelector("[role=option], ._EType_RECIPIENT_ENTITY") ?? document.createElement("span");
      const times = [];
      for (let run = 0; run < 11; run++) {
        const recorder = new MutationObserver(() => {});
        recorder.observe(document, { childList: true, subtree: true });
        const added = [];
        for (let i = 0; i < 1000; i++) added.push(list.appendChild(chip.cloneNode(true)));
        const records = recorder.takeRecords();
        recorder.disconnect();
        const t = performance.now();
        const seen = new Map();
        records.some((record) => watch.mayChangeComposes(record, seen));
        times.push(performance.now() - t);
        for (const node of added) node.remove();
      }
      return times;
    }`;
  const result = await build({ stdin: { contents: entry, resolveDir: ROOT, loader: "js" }, bundle: true, format: "iife", write: false, target: "es2022" });
  return result.outputFiles[0].text;
}

/** @returns {Promise<Array<{webmail: string, recipients: number, find_ms: number, scan_ms: number, states: string[]}>>} */
export async function finderBenchmark() {
  const code = await program();
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true });
  const rows = [];
  try {
    const context = await browser.newContext();
    for (const [host, router] of [["mail.google.com", gmailRouter], ["outlook.office.com", outlookRouter]]) {
      await context.route(`https://${host}/**`, (r) => {
        const fixture = router(new URL(r.request().url()));
        return r.fulfill({ status: fixture.status, headers: fixture.headers, body: fixture.body });
      });
    }
    const page = await context.newPage();
    for (const [webmail, url] of [["gmail", gmailUrl], ["outlook", outlookUrl]]) {
      for (const n of [1, 1000]) {
        await page.goto(url(n === 1 ? { to: ["ann@one.example"] } : { n }));
        await page.waitForFunction(() => document.documentElement.dataset.fixtureReady === "1");
        // Playwright's evaluation is not subject to the page's CSP.
        await page.evaluate(code);
        rows.push({ webmail, recipients: n, ...(await page.evaluate(([name]) => window.__finderBench(name, 41), [webmail])) });
      }
    }
  } finally {
    await browser.close();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await finderBenchmark()) console.log(JSON.stringify(row));
}
