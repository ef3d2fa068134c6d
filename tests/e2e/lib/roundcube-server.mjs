/**
 * @file A real Roundcube for the end-to-end tests: Debian's Roundcube under
 * `php -S` with a fresh SQLite database, Dovecot for the IMAP login, and
 * the in-process SMTP sink (`smtp-sink.mjs`) as its outgoing server — all
 * on loopback ports chosen at start, in one temporary directory.
 *
 * Following shared/research/roundcube-e2e.md: Roundcube reads its
 * configuration from `ROUNDCUBE_CONFIG_DIR`, so `/etc/roundcube` is never
 * touched; Dovecot runs in the foreground with its own configuration. Both
 * are started in their own session (`detached`, i.e. setsid) because `php
 * -S` forks workers that outlive a killed parent; stopping kills each whole
 * process group and waits until its ports are free, so nothing outlives the
 * run and the next start does not find its port taken.
 */

import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { startSmtpSink } from "./smtp-sink.mjs";

/** Where Debian's packages put what is needed. */
const DOCROOT = "/var/lib/roundcube/public_html";
const SQL_SCHEMA = "/usr/share/roundcube/SQL/sqlite.initial.sql";
const CONFIG_DEFAULTS = ["/etc/roundcube/defaults.inc.php", "/etc/roundcube/mimetypes.php"];
const DOVECOT = "/usr/sbin/dovecot";
const PHP = "/usr/bin/php";

/** The one mailbox: Roundcube's login "alice" becomes alice@corp.example. */
export const USER = "alice";
export const PASSWORD = "secret";
export const ACCOUNT = "alice@corp.example";

/**
 * Why Roundcube cannot run here, or null when it can.
 * @returns {string|null}
 */
export function roundcubeMissing() {
  const needed = [DOCROOT, SQL_SCHEMA, ...CONFIG_DEFAULTS, DOVECOT, PHP];
  const missing = needed.filter((file) => !existsSync(file));
  if (missing.length) {
    return `missing ${missing.join(", ")} (apt-get install roundcube-core roundcube-sqlite3 php8.2-cgi dovecot-imapd)`;
  }
  if (process.getuid?.() !== 0) return "Dovecot's mail processes need root to switch to the nobody user";
  return null;
}

/**
 * A port that was free a moment ago.
 * @returns {Promise<number>}
 */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * Whether something accepts connections on the port.
 * @param {number} port
 */
function listening(port) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Polls until the port is (or is no longer) accepting connections.
 * @param {number} port
 * @param {boolean} wanted
 * @param {number} timeoutMs
 * @param {() => string} explain What to show on timeout (a log).
 */
async function waitForPort(port, wanted, timeoutMs, explain) {
  const deadline = Date.now() + timeoutMs;
  while ((await listening(port)) !== wanted) {
    if (Date.now() > deadline) {
      throw new Error(`port ${port} did not ${wanted ? "open" : "close"} within ${timeoutMs} ms\n${explain()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The process groups started and not yet stopped, killed if the run is cut short. */
const running = new Set();
/** The temporary directories not yet removed. */
const directories = new Set();

/** Kills every service still running and removes its files: on exit, and on a signal that ends the run. */
function killRunning() {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  running.clear();
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
  directories.clear();
}
process.on("exit", killRunning);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    killRunning();
    process.kill(process.pid, signal);
  });
}

/**
 * Starts a service in its own session and process group.
 * @param {string} command
 * @param {string[]} args
 * @param {string} log
 * @param {NodeJS.ProcessEnv} [env]
 */
function startGroup(command, args, log, env = process.env) {
  const out = openLog(log);
  const child = spawn(command, args, { detached: true, stdio: ["ignore", out, out], env });
  closeSync(out);
  if (child.pid) {
    running.add(child.pid);
    child.once("exit", () => running.delete(child.pid));
  }
  return child;
}

/**
 * A fresh log file, opened for a child's output (which wants a descriptor).
 * @param {string} file
 */
function openLog(file) {
  writeFileSync(file, "");
  return openSync(file, "a");
}

/**
 * Kills a whole process group and waits for its leader to be gone.
 * @param {import("node:child_process").ChildProcess} child
 */
async function stopGroup(child) {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return; // Already gone.
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Gone in the meantime.
    }
  }, 3000);
  await gone;
  clearTimeout(timer);
}

/**
 * @typedef {object} Roundcube
 * @property {string} url The webmail's URL on loopback, e.g. http://127.0.0.1:41234/
 * @property {number} httpPort
 * @property {import("./smtp-sink.mjs").SmtpSink} sink Every message Roundcube sent.
 * @property {string} dir The temporary directory (logs: php.log, rc-logs/errors.log, dovecot/dovecot.log).
 * @property {() => string} logs The tail of the logs, for a failure message.
 * @property {() => Promise<void>} stop Stops everything and deletes the directory.
 */

/**
 * Starts Dovecot, the SMTP sink and Roundcube.
 * @param {object} [options]
 * @param {Record<string, unknown>} [options.config] Extra Roundcube settings.
 * @returns {Promise<Roundcube>}
 */
export async function startRoundcube({ config = {} } = {}) {
  const why = roundcubeMissing();
  if (why) throw new Error(`Roundcube cannot run: ${why}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "bcc-guard-roundcube-"));
  directories.add(dir);
  // Dovecot's mail processes run as nobody and must reach the mail below.
  chmodSync(dir, 0o755);
  const children = [];
  let sink;
  const stop = async () => {
    for (const child of children.reverse()) await stopGroup(child);
    await sink?.close();
    rmSync(dir, { recursive: true, force: true });
    directories.delete(dir);
  };
  try {
    sink = await startSmtpSink();
    const [imapPort, httpPort] = [await freePort(), await freePort()];

    // Dovecot: one passwd-file user, maildir under the temp dir.
    const dc = path.join(dir, "dovecot");
    for (const sub of ["run", "state"]) mkdirSync(path.join(dc, sub), { recursive: true });
    mkdirSync(path.join(dir, "mail"));
    chownSync(path.join(dir, "mail"), uidOf("nobody"), gidOf("nogroup"));
    writeFileSync(path.join(dc, "users"), `${ACCOUNT}:{PLAIN}${PASSWORD}\n`);
    writeFileSync(path.join(dc, "dovecot.conf"), dovecotConfig(dir, imapPort));
    children.push(startGroup(DOVECOT, ["-F", "-c", path.join(dc, "dovecot.conf")], path.join(dir, "dovecot.out")));

    // Roundcube: its own config dir and a fresh SQLite database.
    const rc = path.join(dir, "rc-config");
    for (const sub of ["rc-config", "rc-logs", "rc-temp"]) mkdirSync(path.join(dir, sub));
    for (const file of CONFIG_DEFAULTS) symlinkSync(file, path.join(rc, path.basename(file)));
    const db = path.join(dir, "roundcube.db");
    initDatabase(db);
    writeFileSync(path.join(rc, "config.inc.php"), roundcubeConfig(dir, db, imapPort, sink.port, config));
    children.push(
      startGroup(PHP, ["-S", `127.0.0.1:${httpPort}`, "-t", DOCROOT], path.join(dir, "php.log"), {
        ...process.env,
        ROUNDCUBE_CONFIG_DIR: rc,
        PHP_CLI_SERVER_WORKERS: "2",
      }),
    );

    const logs = () => tailLogs(dir);
    await waitForPort(imapPort, true, 10_000, logs);
    await waitForPort(httpPort, true, 10_000, logs);
    return {
      url: `http://127.0.0.1:${httpPort}/`,
      httpPort,
      sink,
      dir,
      logs,
      stop: async () => {
        await stop();
        await waitForPort(httpPort, false, 5000, () => "");
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** @param {string} name */
function uidOf(name) {
  return Number(spawnSync("id", ["-u", name], { encoding: "utf8" }).stdout.trim());
}
/** @param {string} name */
function gidOf(name) {
  return Number(spawnSync("getent", ["group", name], { encoding: "utf8" }).stdout.split(":")[2]);
}

/**
 * Creates the schema with PHP's own SQLite driver (which Roundcube uses
 * anyway), so the sqlite3 command-line tool is not needed.
 * @param {string} db
 */
function initDatabase(db) {
  const script = `$db = new PDO('sqlite:' . $argv[1]); $db->exec(file_get_contents($argv[2])) !== false or exit(1);`;
  const result = spawnSync(PHP, ["-r", script, db, SQL_SCHEMA], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`creating Roundcube's database failed: ${result.stderr}${result.stdout}`);
}

/**
 * @param {string} dir
 * @param {number} imapPort
 */
function dovecotConfig(dir, imapPort) {
  const dc = path.join(dir, "dovecot");
  // One setting per line: Dovecot refuses text after an opening brace.
  return `base_dir = ${dc}/run
state_dir = ${dc}/state
log_path = ${dc}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dc}/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${dir}/mail/%u
}
namespace inbox {
  inbox = yes
  mailbox Sent {
    auto = subscribe
    special_use = \\Sent
  }
  mailbox Drafts {
    auto = subscribe
    special_use = \\Drafts
  }
  mailbox Trash {
    auto = subscribe
    special_use = \\Trash
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

/**
 * @param {string} dir
 * @param {string} db
 * @param {number} imapPort
 * @param {number} smtpPort
 * @param {Record<string, unknown>} extra
 */
function roundcubeConfig(dir, db, imapPort, smtpPort, extra) {
  const settings = {
    db_dsnw: `sqlite:///${db}?mode=0640`,
    imap_host: `127.0.0.1:${imapPort}`,
    smtp_host: `127.0.0.1:${smtpPort}`,
    // The sink offers no AUTH.
    smtp_user: "",
    smtp_pass: "",
    username_domain: "corp.example",
    des_key: "test-only-24-byte-key!!!",
    plugins: [],
    skin: "elastic",
    language: "en_US",
    enable_spellcheck: false,
    log_dir: `${dir}/rc-logs/`,
    temp_dir: `${dir}/rc-temp/`,
    support_url: "",
    session_lifetime: 60,
    // Collected addresses would make Enter pick an autocompletion with a
    // made-up name, depending on timing.
    collected_recipients: false,
    collected_senders: false,
    ...extra,
  };
  const php = Object.entries(settings)
    .map(([key, value]) => `$config[${JSON.stringify(key)}] = ${phpValue(value)};`)
    .join("\n");
  return `<?php\n$config = [];\n${php}\n`;
}

/**
 * A PHP literal for a JSON-like value.
 * @param {unknown} value
 * @returns {string}
 */
function phpValue(value) {
  if (Array.isArray(value)) return `[${value.map(phpValue).join(", ")}]`;
  if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return JSON.stringify(value);
}

/** @param {string} dir */
function tailLogs(dir) {
  const files = ["php.log", "rc-logs/errors.log", "dovecot/dovecot.log", "dovecot.out"];
  return files
    .map((file) => {
      const full = path.join(dir, file);
      if (!existsSync(full)) return "";
      return `--- ${file} ---\n${readFileSync(full, "utf8").split("\n").slice(-15).join("\n")}`;
    })
    .filter(Boolean)
    .join("\n");
}
