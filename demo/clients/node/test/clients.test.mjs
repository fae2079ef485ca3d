// Mailgun's official Node client (mailgun.js) and nodemailer against the demo, each changed only in
// where it connects and with which key: send, send with html and an attachment, list the domains,
// get one, a wrong key. Every message is then read back from the outbox and parsed (mailparser).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import FormData from 'form-data';
import Mailgun from 'mailgun.js';
import nodemailer from 'nodemailer';
import { eml, startDemo, wrongSecret } from '../support/demo.mjs';

let demo;

before(async () => {
  demo = await startDemo();
});

after(async () => {
  await demo?.stop();
});

/** Every byte value, twice over, and no text: what an attachment must come back as. */
const pdf = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 31 + 7) & 0xff));
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);

describe('mailgun.js', () => {
  const client = (key) => {
    // The change a Mailgun user makes: the demo's URL (and its key) instead of https://api.mailgun.net.
    const mailgun = new Mailgun(FormData);
    const mg = mailgun.client({ username: 'api', key, url: demo.url });
    return mg;
  };

  test('sends a plain text message', async () => {
    const mg = client(demo.sendingKey);
    const r = await mg.messages.create('example.com', {
      from: 'Demo <postmaster@example.com>',
      to: ['you@example.org'],
      subject: 'Hello from mailgun.js',
      text: 'Sent through the Portcullis demo.',
    });
    assert.equal(r.status, 200);
    assert.equal(r.message, 'Queued. Thank you.');
    assert.match(r.id, /^<\d{14}\.[0-9a-f]{12}@example\.com>$/);

    const m = await eml(demo.outbox, r.id);
    assert.deepEqual(m.from, ['postmaster@example.com']);
    assert.deepEqual(m.to, ['you@example.org']);
    assert.deepEqual(m.envelopeTo, ['you@example.org']);
    assert.equal(m.subject, 'Hello from mailgun.js');
    assert.equal(m.text.trimEnd(), 'Sent through the Portcullis demo.');
    assert.ok(!m.html, 'a text-only message has no html part');
    assert.equal(m.parsed.messageId, r.id);
  });

  test('sends html with an attachment, an inline image, cc, bcc, tags and headers', async () => {
    const mg = client(demo.sendingKey);
    const r = await mg.messages.create('example.com', {
      from: 'Reports <reports@example.com>',
      to: ['ann@example.org', 'bob@example.net'],
      cc: 'carol@example.org',
      bcc: 'audit@example.net',
      subject: 'Quarterly report — Q3',
      text: 'The report is attached.',
      html: '<p>The report is attached.</p><img src="cid:logo.png">',
      attachment: [{ filename: 'report.pdf', data: pdf }],
      inline: [{ filename: 'logo.png', data: png }],
      'o:tag': ['reports', 'q3'],
      'o:testmode': true,
      'h:Reply-To': 'finance@example.com',
      'h:X-Campaign': 'autumn',
    });
    assert.equal(r.message, 'Queued. Thank you.');

    const m = await eml(demo.outbox, r.id);
    assert.deepEqual(m.from, ['reports@example.com']);
    assert.deepEqual(m.to.toSorted(), ['ann@example.org', 'bob@example.net']);
    assert.deepEqual(m.cc, ['carol@example.org']);
    assert.deepEqual(m.bcc, [], 'a Bcc recipient is in the envelope only');
    assert.deepEqual(m.envelopeTo.toSorted(), ['ann@example.org', 'audit@example.net', 'bob@example.net', 'carol@example.org']);
    assert.equal(m.subject, 'Quarterly report — Q3');
    assert.equal(m.text.trimEnd(), 'The report is attached.');
    assert.equal(m.html, '<p>The report is attached.</p><img src="cid:logo.png">');
    const report = m.attachments.find((a) => a.filename === 'report.pdf');
    assert.equal(report.contentDisposition, 'attachment');
    assert.deepEqual(report.content, pdf);
    const logo = m.attachments.find((a) => a.filename === 'logo.png');
    assert.equal(logo.contentDisposition, 'inline');
    assert.equal(logo.cid, 'logo.png');
    assert.deepEqual(logo.content, png);
    assert.deepEqual(m.header('X-Mailgun-Tag').toSorted(), ['q3', 'reports']);
    assert.deepEqual(m.header('X-Mailgun-Drop-Message'), ['yes']);
    assert.deepEqual(m.header('X-Campaign'), ['autumn']);
    assert.deepEqual(m.parsed.replyTo.value.map((a) => a.address), ['finance@example.com']);
  });

  test('lists the domains and gets one by name', async () => {
    const mg = client(demo.adminKey);
    const domains = await mg.domains.list();
    assert.deepEqual(domains.map((d) => d.name), ['example.com']);
    assert.equal(domains[0].state, 'active');
    assert.ok(domains[0].created_at instanceof Date && !Number.isNaN(domains[0].created_at.getTime()));

    const one = await mg.domains.get('example.com');
    assert.equal(one.name, 'example.com');
    assert.equal(one.id, domains[0].id);
    assert.deepEqual(one.sending_dns_records, []);
  });

  test('a wrong key is 401, a key without the grant 403, an unsupported field 400 naming it', async () => {
    await assert.rejects(
      client(wrongSecret(demo.sendingKey)).messages.create('example.com',
        { from: 'postmaster@example.com', to: 'you@example.org', subject: 's', text: 't' }),
      (e) => e.status === 401 && e.details === 'Unauthorized');
    await assert.rejects(client(demo.sendingKey).domains.list(), (e) => e.status === 403);
    await assert.rejects(
      client(demo.sendingKey).messages.create('example.com',
        { from: 'postmaster@example.com', to: 'you@example.org', subject: 's', text: 't', template: 'welcome' }),
      (e) => e.status === 400 && /^template: not supported by the Portcullis demo/.test(e.details));
  });
});

describe('nodemailer over SMTP', () => {
  const transport = (user, pass) => nodemailer.createTransport({
    // The change a nodemailer user makes: the demo's host, port and login; STARTTLS with its certificate.
    host: '127.0.0.1', port: demo.smtpPort, secure: false, requireTLS: true,
    auth: { user, pass },
    tls: { ca: demo.certificate },
  });

  test('sends html with an attachment to to, cc and bcc', async () => {
    const info = await transport(demo.smtpUser, demo.smtpPassword).sendMail({
      from: `Demo <${demo.smtpUser}>`,
      to: 'you@example.org',
      cc: 'cc@example.net',
      bcc: 'bcc@example.net',
      subject: 'Hello from nodemailer',
      text: 'Sent through the Portcullis demo.',
      html: '<p>Sent through the Portcullis demo.</p>',
      attachments: [{ filename: 'report.pdf', content: pdf }],
    });
    assert.deepEqual(info.rejected, []);
    const id = info.response.match(/queued as (<[^>]+>)/)[1];

    const m = await eml(demo.outbox, id);
    assert.deepEqual(m.from, [demo.smtpUser]);
    assert.deepEqual(m.to, ['you@example.org']);
    assert.deepEqual(m.cc, ['cc@example.net']);
    assert.deepEqual(m.bcc, []);
    assert.deepEqual(m.envelopeTo, ['you@example.org', 'cc@example.net', 'bcc@example.net']);
    assert.equal(m.subject, 'Hello from nodemailer');
    assert.equal(m.text.trimEnd(), 'Sent through the Portcullis demo.');
    assert.equal(m.html, '<p>Sent through the Portcullis demo.</p>');
    assert.equal(m.attachments.length, 1);
    assert.equal(m.attachments[0].filename, 'report.pdf');
    assert.deepEqual(m.attachments[0].content, pdf);
  });

  test('a wrong password is refused with 535', async () => {
    await assert.rejects(
      transport(demo.smtpUser, `${demo.smtpPassword}x`).sendMail({
        from: demo.smtpUser, to: 'you@example.org', subject: 's', text: 't',
      }),
      (e) => e.code === 'EAUTH' && e.responseCode === 535);
  });
});
