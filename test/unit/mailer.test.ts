import { describe, expect, it } from 'vitest';
import { classify } from '../../src/mail/mailer.js';

describe('delivery failures', () => {
  it.each([
    [{ responseCode: 550, command: 'DATA-END' }, 'permanent'],
    [{ responseCode: 553, command: 'RCPT TO' }, 'permanent'],
    [{ responseCode: 451, command: 'DATA-END' }, 'retryable'],
    [{ responseCode: 421, command: 'CONN' }, 'retryable'],
    [{ code: 'ECONNECTION', command: 'CONN' }, 'retryable'],
    [{ code: 'EDNS' }, 'retryable'],
    [{ code: 'ETIMEDOUT', command: 'DATA' }, 'ambiguous'],
    [{ code: 'ESOCKET', command: 'DATA-END' }, 'ambiguous'],
    [{}, 'ambiguous'],
  ])('%j is %s', (error, kind) => {
    expect(classify(error)).toBe(kind);
  });
});
