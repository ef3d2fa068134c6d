/**
 * @file Thunderbird, headless, on a fresh profile, driven over Marionette in
 * chrome context (marionette.mjs). Debian's `thunderbird` package installs
 * the binary; `scripts/setup.mjs` installs the package when it is missing.
 *
 * The profile (`user.js`) has one local identity, alice@corp.example, whose
 * SMTP server is the test's sink on loopback, no incoming server (Local
 * Folders carry the identity and the Outbox), and nothing that goes online.
 * Compose windows are opened as "Write" opens them; sends are triggered with
 * real key events and clicks; the extension's dialog window is read through
 * Marionette's own actor in that window's (remote) extension page.
 *
 * Nothing may outlive the run: the process is killed on quit and, failing
 * that, when Node exits; the profile is deleted.
 */

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { connectMarionette } from "./marionette.mjs";
import { poll } from "./session.mjs";

/** Debian's `thunderbird` package installs the real binary here (the /usr/bin one is a wrapper). */
export const THUNDERBIRD_BINARY = process.env.THUNDERBIRD ?? "/usr/lib/thunderbird/thunderbird";

/** The sending identity of the test profile. */
export const SENDER = "alice@corp.example";

/** WebDriver key codes. */
export const KEY = Object.freeze({ CTRL: "\uE009", SHIFT: "\uE008", ENTER: "\uE007", TAB: "\uE004", ESCAPE: "\uE00C" });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * The profile's preferences. Each line was checked by removing it
 * (shared/research/thunderbird-e2e.md): the ones marked (*) are required,
 * the others pin behaviour so the run never goes online.
 * @param {number} smtpPort
 * @param {Record<string, string|number|boolean>} extra Further prefs.
 */
function userJs(smtpPort, extra) {
  const prefs = {
    "mail.accountmanager.accounts": "account1",
    "mail.accountmanager.defaultaccount": "account1",
    "mail.accountmanager.localfoldersserver": "server1",
    "mail.account.account1.server": "server1",
    "mail.account.account1.identities": "id1",
    "mail.server.server1.type": "none",
    "mail.server.server1.hostname": "Local Folders", // (*) compose never gets ready without it
    "mail.server.server1.userName": "nobody",
    "mail.identity.id1.fullName": "Alice",
    "mail.identity.id1.useremail": SENDER,
    "mail.identity.id1.valid": true,
    "mail.identity.id1.smtpServer": "smtp1",
    "mail.identity.id1.fcc": false,
    "mail.smtpservers": "smtp1",
    "mail.smtp.defaultserver": "smtp1",
    "mail.smtpserver.smtp1.type": "smtp",
    "mail.smtpserver.smtp1.hostname": "127.0.0.1",
    "mail.smtpserver.smtp1.port": smtpPort,
    "mail.smtpserver.smtp1.authMethod": 1,
    "mail.smtpserver.smtp1.try_ssl": 0,
    "mail.provider.suppress_dialog_on_startup": true,
    "mailnews.start_page.enabled": false, // (*) else a start page loads from the web
    "mail.rights.version": 1,
    "mail.warn_on_send_accel_key": false, // (*) else Ctrl+Enter asks "Send now?"
    "mailnews.sendInBackground": false,
    "mail.inappnotifications.enabled": false,
    "mail.chat.enabled": false,
    "mail.shell.checkDefaultClient": false,
    "app.update.auto": false,
    "extensions.update.enabled": false,
    "extensions.getAddons.cache.enabled": false,
    "extensions.systemAddon.update.enabled": false,
    "datareporting.policy.dataSubmissionEnabled": false,
    "datareporting.healthreport.uploadEnabled": false,
    "toolkit.telemetry.enabled": false,
    "network.captive-portal-service.enabled": false,
    "network.connectivity-service.enabled": false,
    "browser.safebrowsing.malware.enabled": false,
    "browser.safebrowsing.phishing.enabled": false,
    "mail.phishing.detection.enabled": false,
    "marionette.port": 0, // a free port, written to <profile>/MarionetteActivePort
    "devtools.console.stdout.content": true, // the extension's console output on stdout
    ...extra,
  };
  return Object.entries(prefs)
    .map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});`)
    .join("\n");
}

/**
 * @typedef {object} Popup The extension's dialog window.
 * @property {string} handle Its Marionette window handle.
 * @property {(expression: string) => Promise<any>} evaluate Evaluates an
 *   expression in the extension page (awaited, JSON-serialisable result).
 * @property {(expression: string, timeoutMs?: number) => Promise<any>} waitFor
 */

/**
 * Starts Thunderbird and opens a Marionette session in chrome context.
 * @param {object} options
 * @param {number} options.smtpPort The sink's port.
 * @param {Record<string, string>} [options.env] Extra environment (e.g. HOME for managed storage).
 * @param {Record<string, string|number|boolean>} [options.prefs] Extra prefs.
 */
export async function startThunderbird({ smtpPort, env = {}, prefs = {} }) {
  const profile = mkdtempSync(path.join(tmpdir(), "bcc-guard-tb-"));
  writeFileSync(path.join(profile, "user.js"), userJs(smtpPort, prefs));
  const proc = spawn(
    THUNDERBIRD_BINARY,
    ["--headless", "--marionette", "-remote-allow-system-access", "--no-remote", "--profile", profile],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } },
  );
  const killOnExit = () => proc.kill("SIGKILL");
  process.once("exit", killOnExit);
  /** @type {string[]} */
  const lines = [];
  for (const stream of [proc.stdout, proc.stderr]) createInterface({ input: stream }).on("line", (line) => lines.push(line));

  let m = null;
  for (const started = Date.now(); !m; await sleep(100)) {
    if (proc.exitCode !== null || Date.now() - started > 60000) {
      proc.kill("SIGKILL");
      throw new Error(`Thunderbird did not start Marionette:\n${lines.slice(-30).join("\n")}`);
    }
    const portFile = path.join(profile, "MarionetteActivePort");
    const port = existsSync(portFile) && Number(readFileSync(portFile, "utf8"));
    // The file may be read half-written; the connection is then refused and retried.
    if (port > 0) m = await connectMarionette(port).catch(() => null);
  }
  await m.cmd("WebDriver:NewSession", {});
  await m.cmd("Marionette:SetContext", { value: "chrome" });
  await m.cmd("WebDriver:SetTimeouts", { script: 180000 });
  const main = (await m.cmd("WebDriver:GetWindowHandle")).value;
  let composeCount = 0;

  /**
   * Switches to the main window (scripts that need no particular window run
   * there) without giving it the focus: Marionette focuses the window it
   * switches to unless told not to, and every helper passes through here, so
   * a test would otherwise take the focus from the compose window it is
   * watching (the compose button's poll runs only while a compose window
   * has the focus). The helpers that type or click switch with the focus.
   */
  const inMain = () => m.cmd("WebDriver:SwitchToWindow", { handle: main, focus: false });

  /**
   * Runs `body` in the main window with `compose` = the compose window of
   * the given test id (or null when it is gone).
   */
  const withCompose = async (id, body, ...args) => {
    await inMain();
    return m.chrome(
      `const compose = [...Services.wm.getEnumerator("msgcompose")].find((w) => w.__bccGuardTestId === arguments[0]) ?? null;
       const args = [...arguments].slice(1);
       ${body}`,
      id,
      ...args,
    );
  };

  /**
   * Evaluates an expression in an extension page, through Marionette's own
   * actor in that page's (remote) browsing context.
   * @param {string} findBrowser A chrome expression for the page's <browser>; `path` is the page's path.
   * @param {string} pagePath
   * @param {string} expression
   */
  const evaluateIn = async (findBrowser, pagePath, expression) => {
    await inMain();
    const result = await m.chrome(
      `const path = arguments[1];
       const browser = ${findBrowser};
       if (!browser) throw new Error("no page " + path);
       const actor = browser.browsingContext.currentWindowGlobal.getActor("MarionetteCommands");
       return actor.executeScript(arguments[0], [], { timeout: 10000 });`,
      `return (async () => JSON.stringify(await (\n${expression}\n)))();`,
      pagePath,
    );
    return result === undefined || result === null ? undefined : JSON.parse(result);
  };
  const inDialogWindow = (expression) =>
    evaluateIn(
      `[...Services.wm.getEnumerator("mail:extensionPopup")].map((w) => w.document.getElementById("requestFrame"))
         .find((b) => b?.currentURI?.spec.includes(path))`,
      "/thunderbird/dialog.html",
      expression,
    );

  return {
    lines,
    m,
    /** @param {RegExp} pattern */
    async waitForLine(pattern, timeoutMs = 20000) {
      for (const started = Date.now(); Date.now() - started < timeoutMs; await sleep(100)) {
        const line = lines.find((l) => pattern.test(l));
        if (line) return line;
      }
      throw new Error(`nothing matching ${pattern} on Thunderbird's output`);
    },

    /** Installs an unpacked add-on or .xpi temporarily; resolves with its ID. */
    async installAddon(addonPath) {
      await inMain();
      return (await m.cmd("Addon:Install", { path: addonPath, temporary: true })).value;
    },

    /** @param {string} id */
    async uninstallAddon(id) {
      await inMain();
      await m.cmd("Addon:Uninstall", { id });
    },

    /**
     * Whether the add-on's background page is running (an MV3 event page
     * may have been suspended).
     * @param {string} id
     */
    async backgroundRunning(id) {
      await inMain();
      return m.chrome(`return WebExtensionPolicy.getByID(arguments[0])?.extension?.backgroundState === "running";`, id);
    },

    /** Suspends the add-on's event page, as Thunderbird does when it is idle. */
    async suspendBackground(id) {
      await inMain();
      await m.chrome(`await WebExtensionPolicy.getByID(arguments[0]).extension.terminateBackground({ ignoreDevToolsAttached: true });`, id);
    },

    /**
     * Opens a compose window as "Write" does and waits until it is ready.
     * @param {{to?: string, cc?: string, bcc?: string, subject?: string, body?: string}} fields
     * @returns {Promise<{id: number, handle: string}>}
     */
    async openCompose(fields) {
      const id = ++composeCount;
      await inMain();
      const before = new Set(await m.cmd("WebDriver:GetWindowHandles"));
      await m.chrome(
        `const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
         const fields = Cc["@mozilla.org/messengercompose/composefields;1"].createInstance(Ci.nsIMsgCompFields);
         const params = Cc["@mozilla.org/messengercompose/composeparams;1"].createInstance(Ci.nsIMsgComposeParams);
         Object.assign(fields, arguments[0]);
         Object.assign(params, { type: Ci.nsIMsgCompType.New, format: Ci.nsIMsgCompFormat.PlainText,
                                 composeFields: fields, identity: MailServices.accounts.allIdentities[0] });
         const old = new Set(Services.wm.getEnumerator("msgcompose"));
         MailServices.compose.OpenComposeWindowWithParams(null, params);
         for (;;) {
           const w = [...Services.wm.getEnumerator("msgcompose")].find((x) => !old.has(x));
           if (w?.composeEditorReady) { w.__bccGuardTestId = arguments[1]; return; }
           await new Promise((r) => setTimeout(r, 50));
         }`,
        fields,
        id,
      );
      const handle = (await m.cmd("WebDriver:GetWindowHandles")).find((h) => !before.has(h));
      if (!handle) throw new Error("no compose window");
      return { id, handle };
    },

    /**
     * Trusted key presses in a window: `pressKeys(handle, KEY.CTRL, KEY.ENTER)`.
     * @param {string} handle
     * @param {...string} keys
     */
    async pressKeys(handle, ...keys) {
      await m.cmd("WebDriver:SwitchToWindow", { handle });
      const actions = [
        ...keys.map((value) => ({ type: "keyDown", value })),
        ...[...keys].reverse().map((value) => ({ type: "keyUp", value })),
      ];
      try {
        await m.cmd("WebDriver:PerformActions", { actions: [{ type: "key", id: "keyboard", actions }] });
        await m.cmd("WebDriver:ReleaseActions");
      } catch (error) {
        // A send closes the compose window before the key-ups arrive.
        if (error.error !== "no such window") throw error;
      }
      await inMain();
    },

    /**
     * A trusted click on an element of a window's chrome (the Send button, menus).
     * @param {string} handle
     * @param {string} selector
     */
    async click(handle, selector) {
      await m.cmd("WebDriver:SwitchToWindow", { handle });
      try {
        const element = await m.cmd("WebDriver:FindElement", { using: "css selector", value: selector });
        await m.cmd("WebDriver:ElementClick", { id: Object.values(element.value)[0] });
      } catch (error) {
        if (error.error !== "no such window") throw error;
      }
      await inMain();
    },

    /**
     * The compose window's state: open, locked (a send is being held), and
     * its recipient fields as Thunderbird would send them.
     * @param {number} id
     * @returns {Promise<{open: boolean, locked?: boolean, to?: string, cc?: string, bcc?: string}>}
     */
    composeButton(id) {
      // The add-on's own button in the compose window's toolbar (Thunderbird's
      // ExtensionToolbarButtons: id "<widget id>-composeAction-toolbarbutton",
      // the badge and tooltip as attributes).
      return withCompose(
        id,
        `if (!compose || compose.closed) return null;
         const button = compose.document.querySelector('[id$="-composeAction-toolbarbutton"]');
         return button ? { badge: button.getAttribute("badge") ?? "", title: button.getAttribute("tooltiptext") ?? "" } : null;`,
      );
    },

    /**
     * Replaces a compose window's recipients, as typing them would, through
     * the window's own SetComposeDetails (the address rows as the user sees
     * them), and gives that window the focus back, as a user typing there has.
     * @param {number} id
     * @param {{to?: string[], cc?: string[], bcc?: string[]}} fields
     */
    setRecipients(id, fields) {
      // The window's own setter takes each field as one comma-separated string.
      const strings = Object.fromEntries(Object.entries(fields).map(([field, list]) => [field, list.join(", ")]));
      return withCompose(id, `compose.SetComposeDetails({ identityKey: null, ...args[0] }); compose.focus(); return true;`, strings);
    },

    /**
     * Gives a compose window the focus (`id`), or the main window (null),
     * as a user clicking into it does.
     * @param {number|null} id
     */
    focus(id) {
      return withCompose(id, `(compose ?? window).focus(); return true;`);
    },

    /**
     * Which window has the focus: a compose window's test id, "main", or
     * another window's type.
     * @returns {Promise<number|string|null>}
     */
    focusedWindow() {
      return withCompose(
        null,
        `const active = Services.focus.activeWindow;
         if (!active) return null;
         if (active === window) return "main";
         return active.__bccGuardTestId ?? active.document.documentElement.getAttribute("windowtype");`,
      );
    },

    composeState(id) {
      return withCompose(
        id,
        `if (!compose || compose.closed) return { open: false };
         const fields = compose.GetComposeDetails();
         return { open: true, locked: Boolean(compose.gWindowLocked), to: fields.to, cc: fields.cc, bcc: fields.bcc };`,
      );
    },

    /**
     * Starts timing how long the compose window's next send is held by
     * extensions: from Thunderbird's "beforesend" event (which the
     * `compose.onBeforeSend` listeners answer) to its release.
     * @param {number} id
     */
    timeNextHold(id) {
      return withCompose(
        id,
        `const main = window;
         compose.addEventListener("beforesend", (event) => {
           const started = compose.performance.now();
           const held = event.detail;
           for (const name of ["resolve", "reject"]) {
             const original = held[name];
             held[name] = (...rest) => { main.__bccGuardHolds = [...(main.__bccGuardHolds ?? []), compose.performance.now() - started]; original(...rest); };
           }
           // Nothing held it: Thunderbird goes on at once.
           compose.setTimeout(() => { if (!event.defaultPrevented) main.__bccGuardHolds = [...(main.__bccGuardHolds ?? []), 0]; });
         }, { capture: true, once: true });`,
      );
    },

    /** The hold times measured so far (ms), in order. */
    async holdTimes() {
      await inMain();
      return m.chrome(`return window.__bccGuardHolds ?? [];`);
    },

    /** @param {number} id */
    async closeCompose(id) {
      await withCompose(
        id,
        `if (!compose) return;
         compose.gMsgCompose.bodyModified = false; compose.gContentChanged = false;
         compose.close();`,
      );
    },

    /** Sends every message in the Outbox (after Send Later); resolves when done. */
    async flushOutbox() {
      await inMain();
      await m.chrome(
        `const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
         const sender = Cc["@mozilla.org/messengercompose/sendlater;1"].getService(Ci.nsIMsgSendLater);
         await new Promise((resolve, reject) => {
           const listener = {
             QueryInterface: ChromeUtils.generateQI(["nsIMsgSendLaterListener"]),
             onStartSending() {}, onMessageStartSending() {}, onMessageSendProgress() {}, onMessageSendError() {},
             onStopSending(status) { sender.removeListener(listener); Components.isSuccessCode(status) ? resolve() : reject(new Error("outbox: " + status)); },
           };
           sender.addListener(listener);
           sender.sendUnsentMessages(MailServices.accounts.allIdentities[0]);
         });`,
      );
    },

    /**
     * Adds a mailing list to the personal address book.
     * @param {string} name
     * @param {Array<{name: string, email: string}>} members
     * @param {string} [description] The list's description, which its pill shows in `<…>`.
     */
    async addMailingList(name, members, description = "") {
      await inMain();
      await m.chrome(
        `const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
         const book = MailServices.ab.getDirectory("jsaddrbook://abook.sqlite");
         const list = Cc["@mozilla.org/addressbook/directoryproperty;1"].createInstance(Ci.nsIAbDirectory);
         list.isMailList = true;
         list.dirName = arguments[0];
         list.description = arguments[2];
         const created = book.addMailList(list);
         for (const member of arguments[1]) {
           const card = Cc["@mozilla.org/addressbook/cardproperty;1"].createInstance(Ci.nsIAbCard);
           card.displayName = member.name;
           card.primaryEmail = member.email;
           created.addCard(book.addCard(card));
         }`,
        name,
        members,
        description,
      );
    },

    /**
     * Waits for the extension's dialog window and returns a handle on its page.
     * @returns {Promise<Popup>}
     */
    async waitForPopup(timeoutMs = 15000) {
      await poll(inDialogWindow, `!!document.querySelector('[data-bcc-guard="dialog"]')?.shadowRoot?.querySelector("button[data-action]")`, timeoutMs);
      await inMain();
      let handle = null;
      for (const candidate of await m.cmd("WebDriver:GetWindowHandles")) {
        await m.cmd("WebDriver:SwitchToWindow", { handle: candidate, focus: false });
        if ((await m.chrome(`return document.documentElement.getAttribute("windowtype");`)) === "mail:extensionPopup") handle = candidate;
      }
      await inMain();
      if (!handle) throw new Error("the dialog window has no Marionette handle");
      return {
        handle,
        evaluate: inDialogWindow,
        waitFor: (expression, ms = 5000) => poll(inDialogWindow, expression, ms),
      };
    },

    /**
     * Waits for a tab of the main window showing the extension page at
     * `pagePath` (e.g. "/options/options.html") and evaluates `expression` in it.
     * @param {string} pagePath
     * @param {string} expression
     */
    inTab(pagePath, expression, timeoutMs = 10000) {
      const evaluate = (e) =>
        evaluateIn(
          `Services.wm.getMostRecentWindow("mail:3pane").document.getElementById("tabmail").tabInfo
             .map((t) => t.browser).find((b) => b?.currentURI?.spec.includes(path))`,
          pagePath,
          e,
        );
      return poll(evaluate, expression, timeoutMs);
    },

    /**
     * Opens an extension page of the add-on `id` in a tab of the main window.
     * @param {string} id
     * @param {string} pagePath e.g. "options/options.html"
     */
    async openExtensionTab(id, pagePath) {
      await inMain();
      await m.chrome(
        `Services.wm.getMostRecentWindow("mail:3pane").document.getElementById("tabmail")
           .openTab("contentTab", { url: WebExtensionPolicy.getByID(arguments[0]).getURL(arguments[1]) });`,
        id,
        pagePath,
      );
    },

    /**
     * Closes the main window's tabs that show the extension page at `pagePath`.
     * @param {string} pagePath
     */
    async closeTabs(pagePath) {
      await inMain();
      await m.chrome(
        `const tabmail = Services.wm.getMostRecentWindow("mail:3pane").document.getElementById("tabmail");
         for (const tab of tabmail.tabInfo.filter((t) => t.browser?.currentURI?.spec.includes(arguments[0]))) tabmail.closeTab(tab);`,
        pagePath,
      );
    },

    /** Whether any dialog window is open. */
    async popupOpen() {
      await inMain();
      return m.chrome(`return [...Services.wm.getEnumerator("mail:extensionPopup")].some((w) => !w.closed);`);
    },

    /** Closes the dialog window the way its close button does. */
    async closePopup() {
      await inMain();
      await m.chrome(`for (const w of Services.wm.getEnumerator("mail:extensionPopup")) w.close();`);
    },

    async quit() {
      // Quitting with a closing compose window current hangs until the kill.
      await inMain().catch(() => {});
      await Promise.race([m.cmd("Marionette:Quit", { flags: ["eForceQuit"] }).catch(() => {}), sleep(10000)]);
      m.close();
      if (proc.exitCode === null) await Promise.race([new Promise((resolve) => proc.once("exit", resolve)), sleep(10000)]);
      proc.kill("SIGKILL");
      process.removeListener("exit", killOnExit);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
