// Starts the demo as a user would, `java -jar demo/target/portcullis.jar serve`, on free ports
// (--http-port 0 --smtp-port 0 --smtps-port 0) with a new data folder, and reads what its first start printed:
// the ports, the sending and admin keys, the SMTP login. `mvn verify` (or `package`) builds the jar.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';

export const JAR = fileURLToPath(new URL('../../../target/portcullis.jar', import.meta.url));

/** The word after `option` in a printed shell command, its single quotes removed. */
function option(line, option) {
  const m = line.match(new RegExp(`${option} '((?:[^']|'\\\\'')*)'`)) ?? line.match(new RegExp(`${option} (\\S+)`));
  if (!m) throw new Error(`${option} is not in: ${line}`);
  return m[1].replaceAll("'\\''", "'");
}

export async function startDemo() {
  if (!existsSync(JAR)) {
    throw new Error(`${JAR} is missing: build it first (mvn -B -pl demo -am package -DskipTests)`);
  }
  const data = mkdtempSync(join(tmpdir(), 'portcullis-node-'));
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const child = spawn(java, ['-jar', JAR, 'serve', '--data', data, '--http-port', '0', '--smtp-port', '0', '--smtps-port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.on('data', (b) => { out += b; });
  const banner = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start within 120 s:\n${out}`)), 120_000);
    child.stdout.on('data', (b) => {
      out += b;
      if (out.includes('Stop with Ctrl-C.')) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code}:\n${out}`));
    });
  });
  const lines = banner.split('\n');
  const curls = lines.filter((l) => l.trim().startsWith('curl '));
  const swaks = banner.match(/swaks [^\n]*\\\n[^\n]*\\\n[^\n]*/)[0];
  const http = banner.match(/HTTP API {2}(http:\/\/127\.0\.0\.1:\d+)/)[1];
  const smtpPort = Number(banner.match(/SMTP {6}127\.0\.0\.1:(\d+)/)[1]);
  return {
    url: http,
    smtpPort,
    sendingKey: option(curls[0], '--user').replace(/^api:/, ''),
    adminKey: option(curls[1], '--user').replace(/^api:/, ''),
    smtpUser: option(swaks, '--auth-user'),
    smtpPassword: option(swaks, '--auth-password'),
    certificate: readFileSync(join(data, 'tls', 'certificate.pem')),
    outbox: join(data, 'outbox'),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.on('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** The outbox file of a message id `<20250101120000.0a1b2c3d4e5f@example.com>`, parsed by mailparser. */
export async function eml(outbox, id) {
  const name = `${id.slice(1, id.indexOf('@'))}.eml`;
  if (!readdirSync(outbox).includes(name)) throw new Error(`${name} is not in ${outbox}`);
  const parsed = await simpleParser(readFileSync(join(outbox, name)), { keepCidLinks: true });
  const envelope = parsed.headers.get('x-envelope-to');
  return {
    parsed,
    from: parsed.from.value.map((a) => a.address),
    to: (parsed.to?.value ?? []).map((a) => a.address),
    cc: (parsed.cc?.value ?? []).map((a) => a.address),
    bcc: (parsed.bcc?.value ?? []).map((a) => a.address),
    envelopeTo: String(envelope ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    subject: parsed.subject,
    text: parsed.text,
    html: parsed.html,
    attachments: parsed.attachments,
    header: (name) => parsed.headerLines.filter((h) => h.key === name.toLowerCase())
      .map((h) => h.line.slice(h.line.indexOf(':') + 1).trim()),
  };
}

/** The same key id with another secret and a valid checksum: past the format check, refused by verification. */
export function wrongSecret(token) {
  const head = token.slice(0, token.length - 6 - 32) + '0'.repeat(32);
  return head + check(head);
}

function check(head) {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(head, 'ascii')) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  let v = (crc ^ 0xffffffff) >>> 0;
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let s = '';
  for (; v > 0; v = Math.floor(v / 62)) s = alphabet[v % 62] + s;
  return s.padStart(6, '0');
}
