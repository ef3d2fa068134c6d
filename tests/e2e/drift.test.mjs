/**
 * @file The drift matrix: on each drift variant of the Gmail and Outlook
 * fixtures (tests/e2e/lib/drift.mjs), every send path with an exposure in
 * To, under both `whenBlind` values. With "ask" no exposure is ever sent
 * unchecked; with "notice" a send is either guarded as today or the toolbar
 * badge said "!" (not protected) before it. Zero silent sends. The test
 * writes the table to docs/DRIFT.md.
 *
 * The full matrix runs in Chromium; Firefox runs a slice (the variants
 * that turn a compose blind, two paths, "ask"). Also: on every existing
 * fixture variant the health is `ok` (or `degraded`), never `blind`.
 */

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { gmailRouter, gmailUrl } from "./lib/gmail-fixture.mjs";
import { outlookRouter, outlookUrl } from "./lib/outlook-fixture.mjs";
import { BROWSERS, HOST, NOTICE, noDialog, waitForNotice } from "./lib/guard-steps.mjs";
import { DRIVEN, GMAIL, GMAIL_VARIANTS, OUTLOOK, OUTLOOK_VARIANTS, TAB_STATE, driftProgram } from "./lib/drift.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const EXTERNALS = ["ann@one.example", "bob@two.example", "cy@three.example"];
const PATHS = ["click", "enter", "space", "ctrl+enter", "schedule"];
/** Firefox's slice: the variants that make a compose blind on each webmail. */
const FIREFOX_SLICE = { gmail: ["classes-hashed", "recipient-row"], outlook: ["send-relabelled"] };
const FIREFOX_PATHS = ["click", "ctrl+enter"];

const WEBMAILS = [
  { name: "gmail", label: "Gmail", shape: GMAIL, variants: GMAIL_VARIANTS, url: gmailUrl },
  { name: "outlook", label: "Outlook", shape: OUTLOOK, variants: OUTLOOK_VARIANTS, url: outlookUrl },
];

/** The table: rows[browser][webmail][variant][mode][path] = outcome. */
const results = {};
const record = (browser, webmail, variant, mode, pathName, outcome) => {
  ((((results[browser] ??= {})[webmail] ??= {})[variant] ??= {})[mode] ??= {})[pathName] = outcome;
};

let run = 0;

for (const browser of BROWSERS) {
  const full = browser.name === "chromium";
  describe(`Drift in ${browser.name}`, { skip: browser.skip }, () => {
    let session;
    let page;
    let ext;
    before(async () => {
      session = await browser.launch({
        extensionDir: browser.extensionDir,
        routes: { "mail.google.com": gmailRouter, "outlook.office.com": outlookRouter },
        locale: "en-US",
      });
      // The extension page first: the webmail page opened last is the
      // active tab, whose timers and frames the browser does not throttle.
      ext = await session.newPage();
      await ext.goto(session.extensionUrl("popup/popup.html"));
      await ext.waitFor("document.documentElement.dataset.ready === '1'");
      page = await session.newPage();
    });
    after(async () => {
      await session?.close();
    });

    /** Sets the user's whenBlind, and waits until the background has it. */
    async function setWhenBlind(mode) {
      await ext.evaluate(`(globalThis.browser ?? chrome).storage.sync.set({ settings: { whenBlind: ${JSON.stringify(mode)} } })`);
      await ext.waitFor(
        `(async () => { const r = await (globalThis.browser ?? chrome).runtime.sendMessage({ v: 1, kind: "policy" }); return r?.ok && r.policy.settings.whenBlind === ${JSON.stringify(mode)}; })()`,
        5000,
      );
    }

    /** Loads a fixture variant with an exposure in To and applies its drift. */
    async function load(webmail, variant) {
      await page.goto(webmail.url({ to: EXTERNALS, ...variant.params, run: `drift-${++run}` }));
      await page.waitFor("document.documentElement.dataset.fixtureReady === '1'");
      assert.equal(await page.evaluate(driftProgram(webmail.shape, variant)), true);
      await page.waitFor(`!!${DRIVEN.send}`);
      // The health scan after the change, and the badge from it.
      await page.focus(DRIVEN.body);
      // Once the finder has seen it, and the badge agrees with what it saw
      // (a badge that never says "!" for a blind compose leaves a silent cell).
      const settled = `(async () => { const s = await ${TAB_STATE}; return s && s.composes.length > 0 && (s.badge === "!") === s.composes.some((c) => c.state === "blind") && s; })()`;
      const state = await ext.waitFor(settled, 5000).catch(() => ext.evaluate(TAB_STATE));
      // And what the compose's own notice says (it turns blind in the same
      // scan that tells the badge).
      return state && { ...state, notice: await page.evaluate(`${NOTICE()}?.dataset.state ?? "absent"`) };
    }

    /** Carries out one send path. */
    async function attempt(pathName) {
      switch (pathName) {
        case "click":
          return page.click(DRIVEN.send);
        case "enter":
        case "space":
          await page.focus(DRIVEN.send);
          return page.press(pathName === "enter" ? "Enter" : "Space");
        case "ctrl+enter":
          await page.focus(DRIVEN.body);
          return page.press("Control+Enter");
        case "schedule":
          await page.click(DRIVEN.more);
          await page.waitFor(`!!${DRIVEN.schedule}`, 3000);
          return page.click(DRIVEN.schedule);
      }
    }

    /**
     * What came of a path: "guarded" (our dialog held it), "visible-blind"
     * (it went out, the badge having said "!" and the compose's notice "Not
     * protected"), "silent" (it went out without both), or "inert" (the page
     * itself did nothing, and nothing left).
     */
    async function outcome(state) {
      const LEFT = "window.__fixture.sendCount + window.__fixture.scheduleOpens.length";
      // Whichever comes first: our dialog, or something leaving.
      await page.waitFor(`!!${HOST}?.shadowRoot?.querySelector("button") || ${LEFT} > 0`, 2500).catch(() => {});
      const dialog = await page.evaluate(`!!${HOST}?.shadowRoot?.querySelector("button")`);
      const left = await page.evaluate(LEFT);
      if (dialog) {
        assert.equal(left, 0, "nothing left while our dialog holds the send");
        // Which dialog: the exposure warning (it lists addresses), or
        // "cannot read this message" for a blind compose (it offers no move).
        const kind = await page.evaluate(`(() => {
          const root = ${HOST}.shadowRoot;
          if (root.querySelector('[data-action="move"], [data-action="move-and-send"]')) return "guarded";
          return /cannot read this message|このメッセージを読み取れません/.test(root.querySelector("h2")?.textContent ?? "") ? "held-blind" : "held-other";
        })()`);
        await page.press("Escape");
        await page.waitFor(noDialog);
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(await page.evaluate("window.__fixture.sendCount + window.__fixture.scheduleOpens.length"), 0, "cancel sends nothing");
        return kind;
      }
      if (left === 0) return "inert";
      return state?.badge === "!" && state.notice === "blind" ? "visible-blind" : "silent";
    }

    for (const mode of ["ask", "notice"]) {
      if (!full && mode === "notice") continue;
      for (const webmail of WEBMAILS) {
        for (const variant of webmail.variants) {
          if (!full && !FIREFOX_SLICE[webmail.name].includes(variant.name)) continue;
          test(`${webmail.label} ${variant.name}, whenBlind ${mode}: no exposure leaves unchecked`, async () => {
            await setWhenBlind(mode);
            // One load serves the paths that leave the compose as it was
            // (held, then cancelled); a send or a schedule needs a fresh one.
            let state = null;
            for (const pathName of full ? PATHS : FIREFOX_PATHS) {
              const t0 = Date.now();
              state = state ?? (await load(webmail, variant));
              const t1 = Date.now();
              await attempt(pathName);
              const t2 = Date.now();
              const result = await outcome(state);
              if (pathName === "schedule" || !result.startsWith("held") && result !== "guarded") state = null;
              if (process.env.DRIFT_TIMING) console.error(`${variant.name} ${pathName}: load ${t1 - t0} ms, attempt ${t2 - t1} ms, outcome ${Date.now() - t2} ms → ${result}`);
              record(browser.name, webmail.label, variant.name, mode, pathName, result);
              if (mode === "ask") assert.notEqual(result, "silent", `${pathName}: an exposure was sent unchecked`);
              else assert.notEqual(result, "silent", `${pathName}: sent with neither a check nor a visible "not protected"`);
              if (variant.name === "unchanged") assert.equal(result, "guarded", `${pathName} is guarded on today's fixture`);
              assert.notEqual(result, "inert", `${pathName}: the drifted page still sends on this path (else the cell proves nothing)`);
            }
          });
        }
      }
    }

    test("the badge and the popup say what the guard sees: checked, exposed parties, not protected", async () => {
      const popupOf = async (tabId) => {
        const popup = await session.newPage();
        await popup.goto(session.extensionUrl(`popup/popup.html?tab=${tabId}`));
        await popup.waitFor("document.documentElement.dataset.ready === '1'");
        const shown = await popup.evaluate(`({ status: document.getElementById("status").dataset.state, text: document.getElementById("status").textContent,
          composes: [...document.querySelectorAll("#composes li")].map((li) => li.dataset.state) })`);
        await popup.close();
        return shown;
      };
      await setWhenBlind("ask");
      // Today's fixture with three outside parties in To: the number, and "checked".
      let state = await load(WEBMAILS[0], GMAIL_VARIANTS[0]);
      state = await ext.waitFor(`(async () => { const s = await ${TAB_STATE}; return s?.badge === "3" && s; })()`, 5000);
      assert.match(state.title, /3 outside parties/);
      let shown = await popupOf(state.tabId);
      assert.deepEqual(shown.composes, ["ok"]);
      assert.equal(shown.status, "active");
      assert.match(shown.text, /^Checked/);
      // The recipient rows changed: "!", and "Not protected" in the popup.
      state = await load(WEBMAILS[0], GMAIL_VARIANTS.find((v) => v.name === "recipient-row"));
      assert.equal(state.badge, "!");
      assert.match(state.title, /cannot read this message/);
      shown = await popupOf(state.tabId);
      assert.deepEqual(shown.composes, ["blind"]);
      assert.equal(shown.status, "blind");
      assert.match(shown.text, /^Not protected/);
    });

    test("a blind compose says so itself: the notice is 'Not protected' above the body, whatever composeNotice says, and gives way once the compose is readable", async () => {
      const notProtected = /BCC Guard: Not protected: BCC Guard cannot read this message\. Check the recipients yourself\./;
      const above = `!!(${NOTICE()}.compareDocumentPosition(${DRIVEN.body}) & Node.DOCUMENT_POSITION_FOLLOWING)`;
      await setWhenBlind("ask");
      for (const [webmail, name] of [[WEBMAILS[0], "recipient-row"], [WEBMAILS[0], "classes-hashed"], [WEBMAILS[1], "send-relabelled"]]) {
        const where = `${webmail.label} ${name}`;
        const state = await load(webmail, webmail.variants.find((v) => v.name === name));
        assert.equal(state.badge, "!", `${where}: the compose is blind`);
        const shown = await waitForNotice(page, "blind");
        assert.match(shown.text, notProtected, where);
        assert.equal(shown.role, "status", where);
        assert.equal(shown.inEditor, false, where);
        assert.equal(shown.hidden, false, where);
        assert.deepEqual(shown.actions, ["dismiss"], `${where}: nothing to move in a compose it cannot read`);
        assert.deepEqual(shown.parties, [], where);
        assert.equal(shown.count, 1, `${where}: one notice`);
        assert.equal(await page.evaluate(above), true, `${where}: above the message body`);
      }
      // Gmail's recipient rows as today's page has them again: the health
      // turns ok, the blind notice goes and the exposure notice takes its
      // place, and the badge counts the parties instead of "!".
      await load(WEBMAILS[0], GMAIL_VARIANTS.find((v) => v.name === "recipient-row"));
      await waitForNotice(page, "blind");
      await page.evaluate(`(() => { for (const row of document.querySelectorAll("div.anm2[data-field]")) { row.setAttribute("name", row.dataset.field); row.removeAttribute("data-field"); row.classList.replace("anm2", "anm"); } })()`);
      await page.focus(DRIVEN.send);
      await page.focus(DRIVEN.body);
      const back = await waitForNotice(page, "exposure").catch(async (error) => {
        throw new Error(`${error.message}; tab: ${JSON.stringify(await ext.evaluate(TAB_STATE))}; notices: ${await page.evaluate(`[...document.querySelectorAll("[data-bcc-guard=notice]")].map((n) => n.dataset.state + "@" + n.parentElement?.className).join(",")`)}; rows: ${await page.evaluate(`[...document.querySelectorAll("div.anm[name], div.anm2")].map((r) => r.outerHTML.slice(0, 120)).join(" | ")`)}`);
      });
      assert.match(back.text, /3 outside parties would see each other's addresses/);
      assert.equal(back.count, 1, "the same notice, not a second one");
      await ext.waitFor(`(async () => { const s = await ${TAB_STATE}; return s?.badge === "3" && s.composes.every((c) => c.state !== "blind"); })()`, 5000);
      // composeNotice off (and whenBlind "notice", where the send goes on):
      // the exposure notice is gone, the blind one is not.
      await ext.evaluate(`(globalThis.browser ?? chrome).storage.sync.set({ settings: { whenBlind: "notice", composeNotice: false } })`);
      await ext.waitFor(`(async () => { const r = await (globalThis.browser ?? chrome).runtime.sendMessage({ v: 1, kind: "policy" }); return r?.ok && r.policy.settings.composeNotice === false && r.policy.settings.whenBlind === "notice"; })()`, 5000);
      await load(WEBMAILS[0], GMAIL_VARIANTS.find((v) => v.name === "unchanged"));
      // The verdict has arrived once the badge counts its parties.
      await ext.waitFor(`(async () => { const s = await ${TAB_STATE}; return s?.badge === "3"; })()`, 5000);
      assert.equal(await page.evaluate(`${NOTICE()}?.dataset.state ?? "absent"`), "absent", "composeNotice off: no exposure notice");
      await load(WEBMAILS[0], GMAIL_VARIANTS.find((v) => v.name === "recipient-row"));
      assert.match((await waitForNotice(page, "blind")).text, notProtected, "composeNotice off: still 'Not protected'");
      await setWhenBlind("ask");
    });

    test("a blind compose's held send: Send anyway sends once where the policy allows it, and is not offered under block", async () => {
      const blindVariant = GMAIL_VARIANTS.find((v) => v.name === "recipient-row");
      await setWhenBlind("ask");
      await load(WEBMAILS[0], blindVariant);
      await page.click(DRIVEN.send);
      await page.waitFor(`!!${HOST}?.shadowRoot?.querySelector("button")`, 5000);
      const actions = await page.evaluate(`[...${HOST}.shadowRoot.querySelectorAll("[data-action]")].map((b) => b.dataset.action)`);
      assert.deepEqual(actions, ["cancel", "send-anyway"]);
      await page.click(`${HOST}.shadowRoot.querySelector('[data-action="send-anyway"]')`);
      await page.waitFor("window.__fixture.sendCount === 1", 5000);
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(await page.evaluate("window.__fixture.sendCount"), 1, "sent once, never twice");
      assert.equal(await page.evaluate(noDialog), true);

      await ext.evaluate(`(globalThis.browser ?? chrome).storage.sync.set({ settings: { whenBlind: "ask", action: "block" } })`);
      await ext.waitFor(`(async () => { const r = await (globalThis.browser ?? chrome).runtime.sendMessage({ v: 1, kind: "policy" }); return r?.ok && r.policy.settings.action === "block"; })()`, 5000);
      await load(WEBMAILS[0], blindVariant);
      await page.click(DRIVEN.send);
      await page.waitFor(`!!${HOST}?.shadowRoot?.querySelector("button")`, 5000);
      assert.deepEqual(await page.evaluate(`[...${HOST}.shadowRoot.querySelectorAll("[data-action]")].map((b) => b.dataset.action)`), ["cancel"]);
      await page.press("Escape");
      await page.waitFor(noDialog);
      assert.equal(await page.evaluate("window.__fixture.sendCount"), 0);
      await setWhenBlind("ask");
    });

    test("Copy diagnostic: the compose's skeleton, and no address of the fixture in it", async () => {
      const cc = ["Dee Named <dee@four.example>"];
      const bcc = ["eve@five.example"];
      const addresses = [...EXTERNALS, "dee@four.example", "eve@five.example", "me@corp.example"];
      for (const [webmail, variant] of [
        [WEBMAILS[0], GMAIL_VARIANTS[0]],
        [WEBMAILS[0], GMAIL_VARIANTS.find((v) => v.name === "recipient-row")],
        [WEBMAILS[1], OUTLOOK_VARIANTS[0]],
        [WEBMAILS[1], OUTLOOK_VARIANTS.find((v) => v.name === "send-relabelled")],
      ]) {
        await page.goto(webmail.url({ to: EXTERNALS, cc, bcc, typed: "fay@six.example", subject: "for ann@one.example", body: "mail gus@seven.example", run: `diag-${++run}` }));
        await page.waitFor("document.documentElement.dataset.fixtureReady === '1'");
        await page.evaluate(driftProgram(webmail.shape, variant));
        await page.focus(DRIVEN.body);
        const state = await ext.waitFor(`(async () => { const s = await ${TAB_STATE}; return s && s.composes.length > 0 && s; })()`, 5000);
        const { text } = await ext.evaluate(`(globalThis.browser ?? chrome).tabs.sendMessage(${state.tabId}, { kind: "diagnostic" })`);
        const where = `${webmail.label} ${variant.name}`;
        assert.ok(text.split("\n").length > 20, `${where}: a skeleton, not an empty page`);
        assert.match(text, /aria-label="(send|send now|送信)/i, `${where}: the Send control is named`);
        for (const address of [...addresses, "fay@six.example", "gus@seven.example"]) {
          const [local, domain] = address.split("@");
          assert.ok(!text.includes(address) && !text.includes(`${local}@`) && !text.includes(domain), `${where}: ${address} survived`);
        }
        assert.ok(!text.includes("Dee Named"), `${where}: a recipient's name survived`);
      }
    });

    test("no false blind: every existing fixture variant is ok or degraded", async () => {
      const cases = [
        ...["mole", "fullscreen", "inline", "popout", "classic", "two"].flatMap((variant) => ["en", "ja"].map((lang) => [WEBMAILS[0], { variant, lang }])),
        // Outlook's pop-out compose is in a frame, whose composes the popup
        // does not list (only the top frame answers it); the badge has them.
        ...["docked", "fullpage", "inline", "two"].flatMap((variant) => ["en", "ja"].map((lang) => [WEBMAILS[1], { variant, lang }])),
      ];
      for (const [webmail, params] of cases) {
        await page.goto(webmail.url({ to: EXTERNALS, ...params, run: `health-${++run}` }));
        await page.waitFor("document.documentElement.dataset.fixtureReady === '1'");
        await page.evaluate(`document.querySelector(${JSON.stringify(webmail.shape.selectors.body)})?.focus()`);
        const state = await ext.waitFor(`(async () => { const s = await ${TAB_STATE}; return s && s.composes.length > 0 && s; })()`, 5000);
        const states = state.composes.map((c) => c.state);
        assert.ok(states.length > 0, `${webmail.label} ${JSON.stringify(params)}: the finder sees the compose`);
        assert.ok(!states.includes("blind"), `${webmail.label} ${JSON.stringify(params)}: ${states}`);
        assert.notEqual(state.badge, "!");
      }
    });
  });
}

after(() => {
  // Only a run of the whole matrix rewrites the table (not a filtered one).
  const cells = Object.values(results.chromium ?? {}).flatMap((byVariant) => Object.values(byVariant).flatMap((byMode) => Object.values(byMode).flatMap(Object.values)));
  if (cells.length < WEBMAILS.reduce((n, w) => n + w.variants.length, 0) * 2 * PATHS.length) return;
  const lines = [
    "# Drift matrix",
    "",
    "Written by `tests/e2e/drift.test.mjs` (do not edit by hand). Each variant of the Gmail and",
    "Outlook fixtures is one realistic change (tests/e2e/lib/drift.mjs); each cell is what came of",
    "that send path with three unrelated outside parties in To:",
    "",
    "- **guarded**: the adapter still sees the compose: BCC Guard's warning named the exposure;",
    "- **held-blind**: the adapter no longer sees it, the broad finder does: the send was held and",
    "  \"BCC Guard cannot read this message\" opened (`whenBlind` \"ask\", or \"notice\" before the",
    "  policy's word on it had arrived);",
    "- **visible-blind**: the send went on (`whenBlind` \"notice\"), the toolbar badge having shown `!`",
    "  and the compose's notice \"Not protected\" before it;",
    "- **held-other**: held by another of BCC Guard's dialogs (could not check, or no Send button);",
    "- **inert**: the page itself did nothing on that path (nothing was sent; the test fails on it too,",
    "  since such a cell would prove nothing);",
    "- **silent**: sent with neither. The test fails on any.",
    "",
  ];
  for (const [browser, byWebmail] of Object.entries(results)) {
    lines.push(`## ${browser === "chromium" ? "Chromium (full matrix)" : "Firefox ESR (slice)"}`, "");
    for (const [webmail, byVariant] of Object.entries(byWebmail)) {
      const variants = WEBMAILS.find((w) => w.label === webmail).variants;
      for (const [mode, paths] of [["ask", browser === "chromium" ? PATHS : FIREFOX_PATHS], ["notice", PATHS]]) {
        const rows = Object.entries(byVariant).filter(([, byMode]) => byMode[mode]);
        if (rows.length === 0) continue;
        lines.push(`### ${webmail}, whenBlind "${mode}"`, "", `| variant | change | ${paths.join(" | ")} |`, `|---|---|${paths.map(() => "---").join("|")}|`);
        for (const [variant, byMode] of rows) {
          const change = variants.find((v) => v.name === variant)?.change ?? "";
          lines.push(`| ${variant} | ${change} | ${paths.map((p) => byMode[mode][p] ?? "").join(" | ")} |`);
        }
        lines.push("");
      }
    }
  }
  const silent = JSON.stringify(results).split('"silent"').length - 1;
  lines.push(`Silent sends: **${silent}**.`, "");
  writeFileSync(path.join(ROOT, "docs", "DRIFT.md"), lines.join("\n"));
});
