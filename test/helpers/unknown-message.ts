// A message whose delivery is unknown, as one comes about: the SMTP server took it, then the worker died
// before recording that, and the retry found its data handed over. The candidate has one copy.
import { expect } from 'vitest';
import { send } from '../../src/activities/send.js';
import { upsertCandidate } from '../../src/db/candidates.js';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { acknowledgementInput } from './send-input.js';
import type { Stack } from './stack.js';

let counter = 0;

/** A new candidate (`<prefix><n>@example.com`, first name `<Prefix><n>`) and their message, `unknown`. */
export async function unknownMessage(stack: Stack, prefix = 'again') {
  counter += 1;
  const email = `${prefix}${counter}@example.com`;
  const { id } = await upsertCandidate(
    stack.db.sql,
    {
      email,
      first_name: `${prefix[0]!.toUpperCase()}${prefix.slice(1)}${counter}`,
      consent: { email: true },
    },
    'api',
  );
  const input = acknowledgementInput(id);
  const crashing = diesAfterDelivery(stack.smtp.url);
  await expect(send({ ...stack.deps, mailer: crashing }, input)).rejects.toThrow('worker process died');
  const { messageId, status } = await send(stack.deps, input);
  expect(status).toBe('unknown');
  crashing.close();
  return { candidateId: id, email, messageId };
}

/** A mailer whose worker dies right after the server took the message, before the answer is recorded. */
export function diesAfterDelivery(smtpUrl: string): Mailer {
  const real = createMailer(smtpUrl);
  return {
    send: async (message, handover) => {
      await real.send(message, handover);
      throw new Error('worker process died');
    },
    close: () => real.close(),
  };
}
