/**
 * The `Office` namespace that Office.js puts on the page (and that classic
 * Outlook's JavaScript-only runtime provides). The add-in reaches it through
 * its own promisified calls in www/office/office-api.js, which take it as an
 * argument typed `any`; only the entry files name the global, so it is
 * declared here as what it is to them: an object from outside.
 */
declare var Office: any;
