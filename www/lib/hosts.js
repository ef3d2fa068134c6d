/**
 * @file The webmail hosts BCC Guard runs on: the manifest's content-script
 * matches, the policy's `protectedHosts` choices (managed_schema.json) and
 * the engine's `SUPPORTED_HOSTS`; a test keeps the three in step.
 */

export const SUPPORTED_HOSTS = Object.freeze([
  "mail.google.com",
  "outlook.office.com",
  "outlook.office365.com",
  "outlook.live.com",
  "outlook.cloud.microsoft",
]);
