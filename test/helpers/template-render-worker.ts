// The worker side of test/unit/hostile-templates.properties.test.ts: renders every shipped template with
// the candidate, job and event it is given, in the scope the send activity builds (the organisation,
// the message's own signed links, the addresses it trusts), and answers each message or what it threw.
import path from 'node:path';
import { liquidScope } from '../../src/interpreter/scope.js';
import { orgScope } from '../../src/interpreter/org.js';
import { messageScope } from '../../src/links/message-links.js';
import { linkSigner } from '../../src/links/tokens.js';
import { loadOrg } from '../../src/playbook/org.js';
import { loadTemplates } from '../../src/templates/engine.js';
import { trustedAddresses } from '../../src/templates/marks.js';
import { serveBounded } from './bounded-worker.js';
import { ENV_CANARY, ENV_CANARY_NAME, SCOPE_CANARY } from './hostile.js';

export interface RenderInput {
  candidate: Record<string, unknown>;
  job: Record<string, unknown>;
  event: Record<string, unknown>;
}

export type Rendered =
  { template: string; subject: string; text: string; html: string } | { template: string; thrown: string };

export interface RenderOutcome {
  messages: Rendered[];
  /** The addresses the messages may link (the organisation's, the message's own links). */
  trusted: string[];
}

process.env[ENV_CANARY_NAME] = ENV_CANARY;
const PIPELINES = path.resolve(import.meta.dirname, '../../pipelines');
const engine = await loadTemplates(path.join(PIPELINES, 'templates'));
const org = orgScope(await loadOrg(PIPELINES, 'Acme'), '2026-11-25T10:00:00.000Z');
const links = { publicUrl: 'https://rapport.acme.example', signer: linkSigner('hostile-secret') };

function render(input: RenderInput): RenderOutcome {
  const own = messageScope(links, '8d9f0c1e-0000-4000-8000-000000000001', 'meetup-1');
  // As the send activity does: a recruiting event's address is trusted as recruiters entered it, never
  // as an event's data says; here none is entered.
  const trusted = trustedAddresses(org, own);
  const scope = liquidScope(
    {
      candidate: input.candidate,
      job: input.job,
      org,
      event: input.event,
      now: '2026-11-25T10:00:00.000Z',
      journey: {
        id: 'j-1',
        playbook: 'demo',
        version: 1,
        started_at: '2026-11-20T10:00:00.000Z',
        step: 'send',
      },
    },
    { ...own, canary: SCOPE_CANARY },
  );
  const messages = engine.ids().map((template): Rendered => {
    try {
      const { subject, text, html } = engine.render(template, scope, { trusted });
      return { template, subject, text, html };
    } catch (error) {
      return { template, thrown: String((error as Error).stack ?? error) };
    }
  });
  return { messages, trusted: [...trusted] };
}

serveBounded(render);
