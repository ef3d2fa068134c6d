/**
 * @file "Move to BCC" in the Outlook add-in on a scripted Outlook, with the
 * real engine in both builds: what the Smart Alerts dialog's button runs
 * (the function command, Mailbox 1.15: move, read back, verify, send once),
 * the task pane's move (Mailbox 1.14: move, verify, no send), and the
 * ribbon's. Every write is checked against the plan: exactly the planned
 * recipients, Bcc first, at most 100 per call, within the client's field
 * limits; a read-back that differs is never sent.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { browserRuntime, CATALOGUES, colleagues, outsiders, surface } from "./office.mjs";
import { MOVE_FUNCTION } from "../../www/office/send-handler.js";
import { runMove } from "../../www/office/move-action.js";
import { clientOf } from "../../www/office/office-api.js";
import { translator } from "../../www/office/locale.js";

const en = (key) => CATALOGUES.en[key].message;
const writes = (office) => office.calls.filter((c) => c.method === "setAsync" || c.method === "addAsync");
const sendCalls = (office) => office.calls.filter((c) => c.method === "sendAsync").length;

/** Presses Send, then the dialog's button with what the dialog was given. */
async function sendAndMove(office) {
  const blocked = await office.pressSend();
  assert.equal(blocked.allowEvent, false);
  assert.equal(blocked.commandId, "BccGuard.Move");
  await office.runFunction(MOVE_FUNCTION, blocked.contextData);
  // sendAsync's second pass through the handler completes asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(office.faults, []);
  return blocked;
}

/** What each field received, over all its setAsync/addAsync calls, in order. */
function written(office, field) {
  let list = null;
  for (const call of writes(office).filter((c) => c.field === field)) {
    list = call.method === "setAsync" ? [...call.recipients] : [...(list ?? []), ...call.recipients];
  }
  return list;
}

for (const build of ["wasm", "wasm2js"]) {
  describe(`Move to BCC (${build})`, () => {
    test("moves exactly the exposed recipients, Bcc first, reads back, verifies and sends once", async () => {
      const office = surface({ to: [...colleagues(2), ...outsiders(3)], cc: outsiders(2, "q"), bcc: [] });
      browserRuntime(office, { build });
      await sendAndMove(office);
      const order = writes(office).map((c) => c.field);
      assert.equal(order[0], "bcc", "Bcc is written first");
      assert.deepEqual(
        written(office, "bcc").map((d) => d.emailAddress).sort(),
        [...outsiders(3), ...outsiders(2, "q")].map((d) => d.emailAddress).sort(),
        "Bcc receives exactly the exposed recipients",
      );
      assert.deepEqual(written(office, "bcc").find((d) => d.emailAddress === "p0@org0.example").displayName, "Person 0", "names are kept");
      assert.deepEqual(written(office, "to").map((d) => d.emailAddress), colleagues(2).map((d) => d.emailAddress), "colleagues stay in To");
      assert.deepEqual(written(office, "cc"), [], "Cc is emptied");
      const reads = office.calls.filter((c) => c.method === "getAsync");
      assert.ok(reads.length >= 9, "the compose is read for the check, the move and the read-back");
      assert.equal(sendCalls(office), 1, "sendAsync once");
      assert.equal(office.sent.length, 1, "one mail went, after the handler checked it again");
      assert.deepEqual(office.sent[0].to, colleagues(2).map((d) => d.emailAddress));
      assert.equal(office.sent[0].bcc.length, 5);
      assert.equal(office.sent[0].cc.length, 0);
    });

    test("To left empty gets the sender; the mail is sent to the others in Bcc", async () => {
      const office = surface({ to: outsiders(4), account: "me@corp.example" });
      browserRuntime(office, { build });
      await sendAndMove(office);
      assert.deepEqual(written(office, "to").map((d) => d.emailAddress), ["me@corp.example"]);
      assert.deepEqual(office.sent[0], { to: ["me@corp.example"], cc: [], bcc: outsiders(4).map((d) => d.emailAddress) });
    });

    test("a read-back that differs from the plan is not sent", async () => {
      // This Outlook quietly drops the last recipient written into Bcc.
      const office = surface({ to: outsiders(5), onWrite: (field, list) => (field === "bcc" ? list.slice(0, -1) : list) });
      browserRuntime(office, { build });
      await sendAndMove(office);
      assert.equal(sendCalls(office), 0);
      assert.equal(office.sent.length, 0);
      assert.deepEqual(office.notifications.map((n) => n.type), ["errorMessage"]);
      assert.equal(office.notifications[0].message, en("office_moveMismatch"));
    });

    test("a write Outlook refuses: nothing is sent, and Bcc got the recipients first", async () => {
      const office = surface({ to: outsiders(5), fail: (method, field) => (field === "to" && method === "setAsync" ? "GenericResponseError" : null) });
      browserRuntime(office, { build });
      await sendAndMove(office);
      assert.equal(office.sent.length, 0);
      assert.equal(office.addresses().bcc.length, 5, "over-protected rather than lost");
      assert.equal(office.addresses().to.length, 5);
      assert.equal(office.notifications[0].type, "errorMessage");
      assert.ok(office.notifications[0].message.length <= 150);
    });

    test("600 recipients on the web: batches of at most 100, all moved, sent once", async () => {
      const office = surface({ to: outsiders(600), platform: "OfficeOnline", mailbox: "1.15" });
      browserRuntime(office, { build });
      await sendAndMove(office);
      const batches = writes(office).filter((c) => c.field === "bcc");
      assert.equal(batches.length, 6);
      assert.ok(batches.every((c) => c.recipients.length <= 100 && c.method === "addAsync"));
      assert.equal(written(office, "bcc").length, 600);
      assert.equal(office.sent.length, 1);
      assert.equal(office.sent[0].bcc.length, 600);
    });

    test("classic Windows caps a field at 500: a move that would overfill Bcc writes nothing", async () => {
      const office = surface({ to: outsiders(450), bcc: outsiders(100, "b"), platform: "PC", mailbox: "1.15" });
      browserRuntime(office, { build });
      await sendAndMove(office);
      assert.deepEqual(writes(office), [], "nothing is begun that cannot be finished");
      assert.equal(office.sent.length, 0);
      assert.equal(office.notifications[0].message, translator(CATALOGUES, "en")("office_fieldLimit", [500, "Bcc"]));
    });

    test("classic Windows with Mailbox 1.16 takes 1,000: 700 moved in batches", async () => {
      const office = surface({ to: outsiders(700), platform: "PC", mailbox: "1.16" });
      browserRuntime(office, { build });
      await sendAndMove(office);
      assert.equal(written(office, "bcc").length, 700);
      assert.ok(writes(office).every((c) => c.recipients.length <= 100));
      assert.equal(office.sent.length, 1);
    });

    test("from the ribbon (no dialog): moves and verifies, does not send", async () => {
      const office = surface({ to: outsiders(3) });
      browserRuntime(office, { build });
      await office.runFunction(MOVE_FUNCTION, undefined);
      assert.equal(office.addresses().bcc.length, 3);
      assert.equal(sendCalls(office), 0);
      assert.equal(office.notifications[0].type, "informationalMessage");
      assert.equal(office.notifications[0].message, translator(CATALOGUES, "en")("office_moved", [3]));
    });

    test("recipients fixed by hand before the button: nothing to move, the mail is sent", async () => {
      const office = surface({ to: outsiders(3) });
      browserRuntime(office, { build });
      const blocked = await office.pressSend();
      office.state.to = office.state.to.slice(0, 1);
      await office.runFunction(MOVE_FUNCTION, blocked.contextData);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(writes(office), []);
      assert.equal(office.sent.length, 1);
    });

    test("Mailbox 1.14 (the task pane's move): moved and verified, the user presses Send again", async () => {
      const office = surface({ to: outsiders(3), platform: "Mac", mailbox: "1.14", language: "ja-JP" });
      const host = browserRuntime(office, { build });
      const client = clientOf(office.Office, office.permissions);
      const result = await runMove({ office: office.Office, ask: (r) => host.handle(r), t: translator(CATALOGUES, client.language), client, send: true });
      assert.equal(result.outcome, "moved", "no sendAsync before Mailbox 1.15, even when asked");
      assert.equal(result.message, translator(CATALOGUES, "ja")("office_moved", [3]));
      assert.equal(office.Office.context.mailbox.item.sendAsync, undefined);
      const again = await office.pressSend();
      assert.deepEqual(JSON.parse(JSON.stringify(again)), { allowEvent: true }, "the send is checked again and passes");
      assert.equal(office.sent.length, 1);
    });

    test("packaged with ReadWriteItem: the dialog offers Move to BCC, never sendAsync; the user presses Send again", async () => {
      // sendAsync needs ReadWriteMailbox; the surface refuses it (and records
      // a fault) with the smaller permission.
      const office = surface({ to: outsiders(3), mailbox: "1.15", permissions: "ReadWriteItem" });
      browserRuntime(office, { build });
      const blocked = await office.pressSend();
      assert.equal(blocked.commandId, "BccGuard.Move", "the function command still moves");
      assert.equal(blocked.cancelLabel, en("dialog_move"), "not “Move to BCC and send”");
      assert.equal(JSON.parse(blocked.contextData).send, false);
      assert.ok(blocked.errorMessage.includes(en("office_hintMove")), blocked.errorMessage);
      await office.runFunction(MOVE_FUNCTION, blocked.contextData);
      assert.deepEqual(office.faults, []);
      assert.equal(sendCalls(office), 0);
      assert.equal(office.addresses().bcc.length, 3);
      assert.equal(office.notifications.at(-1).message, translator(CATALOGUES, "en")("office_moved", [3]));
      assert.equal(office.sent.length, 0);
      assert.deepEqual(JSON.parse(JSON.stringify(await office.pressSend())), { allowEvent: true }, "Send again is checked and passes");
      assert.equal(office.sent.length, 1);
    });

    test("a dialog that asked to send, with ReadWriteItem: moved, not sent (no sendAsync)", async () => {
      // As if an older dialog's contextData said send: the move still never calls sendAsync.
      const office = surface({ to: outsiders(3), mailbox: "1.15", permissions: "ReadWriteItem" });
      browserRuntime(office, { build });
      await office.runFunction(MOVE_FUNCTION, JSON.stringify({ bccGuard: 1, send: true }));
      assert.deepEqual(office.faults, []);
      assert.equal(sendCalls(office), 0);
      assert.equal(office.notifications.at(-1).message, translator(CATALOGUES, "en")("office_moved", [3]));
    });

    test("an unreadable recipient in To: the others move, nothing is sent, the user is told", async () => {
      const office = surface({ to: [...outsiders(3), { displayName: "Somebody", emailAddress: "not an address" }] });
      browserRuntime(office, { build });
      const blocked = await office.pressSend();
      assert.equal(blocked.cancelLabel, en("dialog_move"), "move without send");
      assert.equal(JSON.parse(blocked.contextData).send, false);
      await office.runFunction(MOVE_FUNCTION, blocked.contextData);
      assert.equal(office.addresses().bcc.length, 3);
      assert.equal(office.sent.length, 0);
      assert.equal(office.notifications[0].message, en("office_moveStillExposed"));
    });
  });
}
