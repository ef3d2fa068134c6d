/**
 * @file The list of self-hosted webmail origins that the options page and
 * the popup both show: each origin, whether it is protected or still needs
 * the browser's permission, who asked for it, and the one-click grant.
 *
 * Automation contract (the e2e tests use it): each item carries
 * `data-origin` and `data-state` ("protected" | "needs-access" |
 * "starting"); its buttons carry `data-action` ("grant" | "remove").
 */

import { message } from "./browser.js";
import { grantOrigin } from "./webmail-origins.js";

/**
 * Renders `statuses` into `list`.
 * @param {HTMLElement} list
 * @param {import("./webmail-origins.js").OriginStatus[]} statuses
 * @param {object} handlers
 * @param {(granted: boolean, origin: string) => void} handlers.granted Called
 *   after a grant button's request is answered.
 * @param {((origin: string) => void)|null} [handlers.remove] Offers a remove
 *   button on the user's own origins when given.
 */
export function renderOrigins(list, statuses, { granted, remove = null }) {
  list.replaceChildren(
    ...statuses.map((status) => {
      const item = document.createElement("li");
      item.dataset.origin = status.origin;
      item.dataset.state = !status.granted ? "needs-access" : status.active ? "protected" : "starting";
      const name = Object.assign(document.createElement("span"), { className: "origin", textContent: status.origin });
      const state = Object.assign(document.createElement("span"), {
        className: "state",
        textContent: message(status.granted ? "options_origin_protected" : "options_origin_needsAccess"),
      });
      item.append(name, state);
      if (status.policy) {
        item.append(Object.assign(document.createElement("span"), { className: "source", textContent: message("options_origin_byPolicy") }));
      }
      if (!status.granted) {
        const button = Object.assign(document.createElement("button"), { type: "button", textContent: message("options_origin_grant") });
        button.dataset.action = "grant";
        // The request must start inside the click: no await before it.
        button.addEventListener("click", () => {
          grantOrigin(status.origin).then(
            (ok) => granted(ok, status.origin),
            () => granted(false, status.origin),
          );
        });
        item.append(button);
      }
      if (remove && status.user && !status.policy) {
        const button = Object.assign(document.createElement("button"), {
          type: "button",
          className: "secondary",
          textContent: message("options_origin_remove"),
        });
        button.dataset.action = "remove";
        button.addEventListener("click", () => remove(status.origin));
        item.append(button);
      }
      return item;
    }),
  );
}
