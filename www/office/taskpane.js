/**
 * @file The task pane: the "Check recipients" button on the compose ribbon,
 * and what the Smart Alerts dialog's button opens in Outlook clients with
 * Mailbox 1.14 but not 1.15 (Outlook on Mac, Outlook 2024), which cannot run
 * a function from the dialog. Opened from the dialog, it moves the exposed
 * recipients at once and asks the user to press Send again (which the send
 * handler checks again); opened from the ribbon, it shows the verdict and
 * offers the move. It never sends: `sendAsync` needs Mailbox 1.15.
 *
 * Either way it lists what is wrong with the organisation's policy.json —
 * above all a policy that could not be read, for which the strictest
 * settings stand in — since the send dialog has no room for it and the
 * add-in has no settings page: this is where a user (and the admin trying
 * it) sees that the policy did not arrive.
 */

import en from "../_locales/en/messages.json";
import ja from "../_locales/ja/messages.json";
import { completeRecipients, PROTOCOL_VERSION } from "../lib/engine-client.js";
import { officeEngineHost } from "./engine-loader.js";
import { clientOf } from "./office-api.js";
import { translator } from "./locale.js";
import { verdictMessage } from "./message.js";
import { initializationContext, runMove } from "./move-action.js";
import { PACKAGE, policyExpected } from "./package-fields.js";
import { readCompose } from "./recipients.js";
import { describeError } from "../lib/errors.js";

const office = globalThis.Office;
const catalogues = { en, ja };

office.onReady(async () => {
  const client = clientOf(office, PACKAGE.permissions);
  const t = translator(catalogues, client.language);
  const host = officeEngineHost({
    office,
    base: new URL(".", import.meta.url),
    fetch: (url) => fetch(url),
    policyExpected: policyExpected(PACKAGE),
  });
  const ask = (request) => host.handle(request);
  document.documentElement.lang = t("lang");
  const status = document.getElementById("status");
  const details = document.getElementById("details");
  const button = document.getElementById("move");
  button.textContent = t("dialog_move");
  const say = (text) => {
    status.textContent = text;
  };
  const move = async () => {
    button.hidden = true;
    say(t("dialog_busy"));
    const result = await runMove({ office, ask, t, client, send: false });
    say(result.message);
    details.textContent = "";
  };
  button.addEventListener("click", () => {
    move().catch((error) => say(describeError(error)));
  });

  if ((await initializationContext(office)).bccGuard === 1) {
    await move();
    await showPolicyProblems(ask, t);
    return;
  }
  await showPolicyProblems(ask, t);
  // From the ribbon: show what the send would find, and offer the move.
  try {
    const read = await readCompose(office, client);
    const reply = await ask({ v: PROTOCOL_VERSION, kind: "evaluate", compose: read.compose });
    if (!reply.ok) {
      say(t("office_unverified"));
      return;
    }
    if (reply.verdict.action === "none") {
      say(t("office_nothingToMove"));
      return;
    }
    completeRecipients(reply, read.compose);
    const movable = reply.plan && (reply.plan.remove.length > 0 || reply.plan.placeholder);
    say(t("dialog_titleExposure"));
    details.textContent = verdictMessage(reply, t, movable ? "move" : "byHand").text;
    button.hidden = !movable;
  } catch (error) {
    say(`${t("office_unverified")} (${describeError(error)})`);
  }
});

/**
 * Lists the problems the engine found in the organisation's policy, if any.
 * @param {(request: object) => Promise<object>} ask
 * @param {import("./locale.js").Translate} t
 */
async function showPolicyProblems(ask, t) {
  const section = document.getElementById("policy-problems");
  const reply = await ask({ v: PROTOCOL_VERSION, kind: "policy" });
  const problems = reply.ok ? reply.policy.problems.filter((problem) => problem.layer === "managed") : [];
  section.querySelector("h2").textContent = t("options_policyProblems");
  section.querySelector("p").textContent = t("options_policyProblemsHelp");
  section.querySelector("ul").replaceChildren(
    ...problems.map((problem) => {
      const item = document.createElement("li");
      const text = t(`settingError_${problem.code}`, problem.value === null ? [] : [problem.value]);
      const line = problem.index === null ? text : t("options_line", [problem.index + 1, text]);
      item.textContent = `${problem.key || "policy.json"}: ${line}`;
      return item;
    }),
  );
  section.hidden = problems.length === 0;
}
