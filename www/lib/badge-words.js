/**
 * @file What a BCC Guard badge means, wherever it is drawn: the webmail
 * tab's toolbar badge (background/badge.js) and Thunderbird's compose
 * button (thunderbird/compose-state.js) share these, so that the two never
 * disagree. `!` on red is only ever "not protected" (a compose BCC Guard
 * cannot read); a number on amber is the outside parties on show. White
 * text on each colour is AA.
 */

/** The badge's background colour for each meaning. */
export const BADGE_COLOURS = Object.freeze({ blind: "#b3261e", exposed: "#8c4a00", ok: "#1b6e3a" });

/** The badge's text for a compose BCC Guard cannot read. */
export const BLIND_TEXT = "!";
