import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplates, TemplateError } from '../../src/templates/engine.js';

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
