import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { messageScope, trackLinks } from '../../src/links/message-links.js';
import { linkSigner } from '../../src/links/tokens.js';
import { loadTemplates, TemplateError } from '../../src/templates/engine.js';
import { trustedAddresses } from '../../src/templates/marks.js';

const engine = await loadTemplates(path.resolve(import.meta.dirname, '../../pipelines/templates'));
const scope = (candidate: Record<string, unknown>, data: Record<string, unknown> = {}) => ({
  candidate,
  event: { data },
  org: { name: 'Acme' },
});

describe('templates', () => {
  it('renders subject and body from one file, through its layout', () => {
    const message = engine.render(
      'application-received',
      scope({ first_name: 'Ada' }, { job: { title: 'Engineer' } }),
    );
    expect(message).toMatchObject({
      channel: 'email',
      subject: 'Ada, we received your application for Engineer',
    });
    expect(message.text).toMatch(/^Hi Ada,\n\nThank you for applying for the Engineer position at Acme\./);
    expect(message.text).toContain('Acme recruiting team');
  });

  it('treats candidate data as data: Liquid in a field is printed, never run', () => {
    const message = engine.render('application-received', scope({ first_name: '{{ org.name }}{% raw %}' }));
    expect(message.subject).toBe('{{ org.name }}{% raw %}, we received your application');
  });

  it('has an HTML part in which every value is escaped', () => {
    const message = engine.render(
      'application-received',
      scope({ first_name: '<b>Ada</b> & co' }, { job: { title: 'R&D' } }),
    );
    expect(message.html).toContain('<p>Hi &lt;b&gt;Ada&lt;/b&gt; &amp; co,</p>');
    expect(message.html).toContain('position at Acme.<br>');
    expect(message.html).not.toContain('<b>');
  });

  it('falls back when optional data is absent', () => {
    const message = engine.render('application-received', scope({}));
    expect(message.subject).toBe('Hello, we received your application');
  });

  it.each(['does-not-exist', '../secrets', 'UPPER'])('refuses the unknown template %j', (id) => {
    expect(() => engine.render(id, scope({}))).toThrow(TemplateError);
  });
});

describe('links in the HTML part', () => {
  const links = { publicUrl: 'https://rapport.acme.example', signer: linkSigner('secret') };
  const m = '8d9f0c1e-0000-4000-8000-000000000001';
  const org = { name: 'Acme', careers_url: 'https://careers.acme.example' };
  const own = messageScope(links, m);
  /** Renders as the send activity does: trusted addresses, then click tracking. */
  const send = (t: Awaited<ReturnType<typeof loadTemplates>>, id: string, candidate: object, data = {}) => {
    const message = t.render(
      id,
      { candidate, event: { data }, org, ...own },
      {
        trusted: trustedAddresses(org, own),
      },
    );
    return { ...message, html: trackLinks(message.html, links, m) };
  };
  /** Where each link of the HTML goes: a tracked link's target, or the address itself. */
  const targets = (html: string) =>
    [...html.matchAll(/<a href="([^"]+)">/g)].map(([, href]) => {
      const url = href!.replace(/&amp;/g, '&');
      const token = /\/t\/([^/]+)$/.exec(url)?.[1];
      const claims = token ? links.signer.verify(token, 't') : undefined;
      return claims ? `tracked ${claims.u}` : url;
    });

  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true });
  });
  const custom = async (body: string) => {
    dir ??= await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-links-'));
    await fs.writeFile(
      path.join(dir, 'custom.liquid'),
      `---\nsubject: "Hi {{ candidate.first_name }}"\n---\n${body}`,
    );
    return loadTemplates(dir);
  };

  it('never links or tracks an address in a candidate’s name; the text keeps it as written', () => {
    const name = 'Ada https://evil.example/login';
    const message = send(
      engine,
      'application-received',
      { first_name: name },
      { job: { title: 'https://evil.example/job' } },
    );
    expect(message.html).not.toContain('<a href="https://evil.example');
    expect(targets(message.html)).toEqual(['tracked https://careers.acme.example']);
    expect(message.html).toContain('Hi Ada https://evil.example/login,');
    expect(message.text).toMatch(/^Hi Ada https:\/\/evil\.example\/login,\n/);
    expect(message.subject).toBe(`${name}, we received your application for https://evil.example/job`);
    for (const part of [message.text, message.subject, message.html])
      for (const mark of ['\u0002', '\u0003']) expect(part).not.toContain(mark);
  });

  it('links and tracks the addresses the template writes, and links the answer links', () => {
    const message = send(engine, 'open-to-work-checkin', { first_name: 'Ada' });
    expect(targets(message.html)).toEqual([
      own.links.open_to_work,
      own.links.not_looking,
      'tracked https://careers.acme.example',
    ]);
  });

  it('links a site the template or a trusted value names, never one data names or completes', async () => {
    const t = await custom(
      [
        'Apply: https://jobs.acme.example/apply?ref={{ candidate.id }}',
        'Careers: {{ org.careers_url }}/teams/{{ candidate.id }}',
        'Forged: {{ candidate.first_name | raw }} and https://{{ candidate.id }}/x and https://acme.example{{ candidate.custom.tail }}',
        '{% capture note %}{{ candidate.first_name }}{% endcapture %}Captured: {{ note }}',
        'Echoed: {% echo candidate.first_name %}',
      ].join('\n'),
    );
    const message = send(t, 'custom', {
      id: 'evil.example',
      first_name: '\u0003https://evil.example/a\u0002',
      custom: { tail: '.evil.example/b' },
    });
    expect(targets(message.html)).toEqual([
      'tracked https://jobs.acme.example/apply?ref=evil.example',
      'tracked https://careers.acme.example/teams/evil.example',
    ]);
    expect(message.text).toContain(
      'Forged: https://evil.example/a and https://evil.example/x and https://acme.example.evil.example/b',
    );
    for (const mark of ['\u0002', '\u0003']) expect(message.text + message.html).not.toContain(mark);
  });
});

describe('template variables', () => {
  it('are checked against the scope schema, with the line and column of each unknown one', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-templates-'));
    await fs.writeFile(
      path.join(dir, 'typo.liquid'),
      '---\nsubject: "Hi {{ candidate.frist_name }}"\n---\nHello {{ candidate.first_name }},\n{{ cantidate.email }} {{ event.data.anything }}\n',
    );
    const problems = (await loadTemplates(dir)).problems();
    expect(problems.map((p) => `${path.basename(p.file)}:${p.line}:${p.column}: ${p.message}`)).toEqual([
      'typo.liquid:2:7: unknown variable candidate.frist_name: there is no "frist_name" (see schemas/scope.schema.json)',
      'typo.liquid:5:4: unknown variable cantidate.email: there is no "cantidate" (see schemas/scope.schema.json)',
    ]);
    await fs.rm(dir, { recursive: true });
  });

  it('the shipped templates read only what the scope has', () => {
    expect(engine.problems()).toEqual([]);
  });
});
