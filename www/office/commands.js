/**
 * @file The add-in's browser runtime (commands.html): Outlook on the web,
 * new Outlook for Windows and Outlook on Mac run the `OnMessageSend` handler
 * here, and every client runs the "Move to BCC" function command here.
 * Bundled by scripts/build.mjs into dist/office/commands.js, with the
 * message catalogues inside; the engine's files are loaded beside it.
 */

import en from "../_locales/en/messages.json";
import ja from "../_locales/ja/messages.json";
import { officeEngineHost } from "./engine-loader.js";
import { clientOf } from "./office-api.js";
import { translator } from "./locale.js";
import { moveCommand } from "./move-action.js";
import { PACKAGE, policyExpected } from "./package-fields.js";
import { handleSend, MOVE_FUNCTION, SEND_HANDLER } from "./send-handler.js";

const catalogues = { en, ja };
const office = globalThis.Office;
const permissions = PACKAGE.permissions;
const host = officeEngineHost({
  office,
  base: new URL(".", import.meta.url),
  fetch: (url) => fetch(url),
  policyExpected: policyExpected(PACKAGE),
});
const ask = (request) => host.handle(request);

// The runtime starts for the event: load the engine while the recipients are read.
host.warmUp();

office.actions.associate(SEND_HANDLER, (event) => handleSend(event, { office, ask, catalogues, permissions }));
office.actions.associate(MOVE_FUNCTION, (event) => {
  const client = clientOf(office, permissions);
  return moveCommand(event, { office, ask, client, t: translator(catalogues, client.language) });
});
