/**
 * @file Messages from the extension's own catalogue (`www/_locales`), in
 * the user's Outlook language: the add-in says what the extension says, in
 * the same words, and the catalogue stays the one place a sentence lives.
 *
 * Outlook has no `chrome.i18n`, so this reads the catalogue the way
 * `i18n.getMessage` does: `$NAME$` in a message stands for its placeholder's
 * `content`, in which `$1`…`$9` are the substitutions. The entry points
 * bundle the English and Japanese files (scripts/build.mjs); tests pass them in.
 */

/**
 * @typedef {Record<string, {message: string, placeholders?: Record<string, {content: string}>}>} Messages
 * @typedef {(key: string, substitutions?: Array<string|number>) => string} Translate
 */

/**
 * The catalogue for an Outlook display language (`ja-JP` → Japanese,
 * anything else → English), falling back to English for a key the language
 * lacks and to the key itself for one neither has, so that a gap is visible.
 * @param {{en: Messages, ja: Messages}} catalogues
 * @param {string} language Such as `Office.context.displayLanguage`.
 * @returns {Translate}
 */
export function translator(catalogues, language) {
  const primary = /^ja\b/i.test(String(language || "")) ? catalogues.ja : catalogues.en;
  return (key, substitutions) => {
    const entry = primary[key] || catalogues.en[key];
    if (!entry) return key;
    const values = (substitutions || []).map(String);
    const placeholders = entry.placeholders || {};
    return entry.message.replace(/\$([A-Za-z0-9_@]+)\$|\$\$/g, (whole, name) => {
      if (!name) return "$";
      const placeholder = placeholders[name.toLowerCase()];
      if (!placeholder) return whole;
      return placeholder.content.replace(/\$([1-9])/g, (_, digit) => {
        const value = values[Number(digit) - 1];
        return value === undefined ? "" : value;
      });
    });
  };
}
