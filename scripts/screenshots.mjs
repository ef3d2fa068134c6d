/**
 * @file `npm run screenshots`: pictures of the warning dialog in English and
 * Japanese for the README (docs/images/), taken with the built extension in
 * headless Chromium on the Gmail fixture. Japanese text needs a CJK font on
 * the machine (Debian: fonts-ipafont-gothic); the script says so if none is
 * installed rather than saving boxes.
 */

import { spawnSync } from "node:child_process";
import path from "node:path";
import { launchChromium } from "../tests/e2e/lib/chromium.mjs";
import { gmailRouter, gmailUrl } from "../tests/e2e/lib/gmail-fixture.mjs";
import { waitForDialog } from "../tests/e2e/lib/guard-steps.mjs";
import { ROOT } from "./lib/run.mjs";

const SEND = `document.querySelector(".IZ .Up div > div[role=button].aoO")`;

async function shoot(locale, lang, file) {
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
    await page.click(SEND);
    await waitForDialog(page);
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
await shoot("en-US", "en", "dialog-en.png");
await shoot("ja", "ja", "dialog-ja.png");
