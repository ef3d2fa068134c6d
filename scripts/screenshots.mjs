/**
 * @file `npm run screenshots`: pictures of the warning dialog and of the
 * live notice in the compose, in English and Japanese, for the README
 * (docs/images/), taken with the built extension in
 * headless Chromium on the Gmail fixture. Japanese text needs a CJK font on
 * the machine (Debian: fonts-ipafont-gothic); the script says so if none is
 * installed rather than saving boxes.
 */

import { spawnSync } from "node:child_process";
import path from "node:path";
import { launchChromium } from "../tests/e2e/lib/chromium.mjs";
import { gmailRouter, gmailUrl } from "../tests/e2e/lib/gmail-fixture.mjs";
import { waitForDialog, waitForNotice } from "../tests/e2e/lib/guard-steps.mjs";
import { ROOT } from "./lib/run.mjs";

const SEND = `document.querySelector(".IZ .Up div > div[role=button].aoO")`;
const BODY = `document.querySelector("[g_editable=true]")`;

/**
 * @param {string} locale The browser's language.
 * @param {"en"|"ja"} lang The fixture's.
 * @param {string} file Under docs/images/.
 * @param {"dialog"|"notice"} what The dialog after Send, or the notice while writing.
 */
async function shoot(locale, lang, file, what) {
  const session = await launchChromium({
    extensionDir: path.join(ROOT, "dist", "chrome"),
    routes: { "mail.google.com": gmailRouter },
    locale,
  });
  try {
    const page = await session.newPage();
    await page.goto(
      gmailUrl({
        lang,
        to: ["Kenji Sato <boss@corp.example>", "Ann Lee <ann@client-one.example>", "Bo Chen <bo@client-two.co.jp>", "Cy Park <cy@partner-three.example>"],
        cc: ["taro.yamada@gmail.com", "hanako@docomo.ne.jp"],
        subject: lang === "ja" ? "新年会のご案内" : "Invitation to our customer event",
      }),
    );
    await page.waitFor("document.documentElement.dataset.fixtureReady === '1'");
    if (what === "dialog") {
      await page.click(SEND);
      await waitForDialog(page);
    } else {
      await page.click(BODY);
      await waitForNotice(page, "exposure");
      // Past its fade-in.
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await page.screenshot(path.join(ROOT, "docs", "images", file));
    console.log(`docs/images/${file}`);
  } finally {
    await session.close();
  }
}

const fonts = spawnSync("fc-list", [":lang=ja"], { encoding: "utf8" });
if (!fonts.stdout?.trim()) {
  console.error("No Japanese font is installed; install one first (apt-get install fonts-ipafont-gothic).");
  process.exit(1);
}
/** Every picture: [browser language, fixture language, file, what]. */
const PICTURES = [
  ["en-US", "en", "dialog-en.png", "dialog"],
  ["ja", "ja", "dialog-ja.png", "dialog"],
  ["en-US", "en", "notice-en.png", "notice"],
  ["ja", "ja", "notice-ja.png", "notice"],
];
// `npm run screenshots -- notice-ja.png` takes only the pictures named.
const wanted = process.argv.slice(2);
for (const [locale, lang, file, what] of PICTURES) {
  if (!wanted.length || wanted.includes(file)) await shoot(locale, lang, file, what);
}
