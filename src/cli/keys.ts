// `rapport keys create --name <name> --scopes <a,b|*>`, `rapport keys list`, `rapport keys revoke <prefix>`.
import { parseArgs } from 'node:util';
import {
  activeKeyNamed,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  countActiveApiKeys,
} from '../db/api-keys.js';
import { createSignInLink } from '../db/console-sessions.js';
import type { Db } from '../db/client.js';
import { ALL_SCOPES, unknownScopes } from '../http/scopes.js';
import { UsageError } from './pipelines.js';

const USAGE =
  'usage: rapport keys create --name <name> --scopes <scope,…|*> | rapport keys list | rapport keys revoke <prefix>';

export async function keysCommand(args: string[], db: Db, print: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: 'string' }, scopes: { type: 'string' } },
  });
  switch (positionals[0]) {
    case 'create': {
      if (!values.name || !values.scopes) throw new UsageError(USAGE);
      const scopes = values.scopes
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = unknownScopes(scopes);
      if (unknown.length || !scopes.length)
        throw new UsageError(`unknown scope ${unknown.join(', ')}; scopes: ${ALL_SCOPES.join(', ')} or *`);
      const created = await createApiKey(db, { name: values.name, scopes });
      print(`created key "${created.name}" (${created.prefix}) with scopes ${scopes.join(', ')}`);
      print(`API key (shown only now; store it safely): ${created.key}`);
      return 0;
    }
    case 'list':
      for (const k of await listApiKeys(db)) {
        const state = k.revoked_at ? `revoked ${k.revoked_at.toISOString()}` : 'active';
        const used = k.last_used_at ? `last used ${k.last_used_at.toISOString()}` : 'never used';
        print(`${k.prefix}  ${k.name}  ${k.scopes.join(',')}  ${state}, ${used}`);
      }
      return 0;
    case 'revoke': {
      if (!positionals[1]) throw new UsageError(USAGE);
      if (!(await revokeApiKey(db, positionals[1])))
        throw new UsageError(`no active key with prefix ${positionals[1]}`);
      print(`revoked ${positionals[1]}`);
      return 0;
    }
    default:
      throw new UsageError(USAGE);
  }
}

/** How long the sign-in link `rapport up` prints stays usable. */
export const SIGN_IN_LINK_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * What `rapport up` offers the person running it: at the first start a key with every scope (`local`),
 * shown once; at every start while that key is active, a one-time console sign-in link for it.
 */
export async function localAccess(db: Db): Promise<{ key?: string; signInToken?: string }> {
  const created =
    (await countActiveApiKeys(db)) > 0 ? undefined : await createApiKey(db, { name: 'local', scopes: ['*'] });
  const local = created ?? (await activeKeyNamed(db, 'local'));
  return {
    ...(created ? { key: created.key } : {}),
    ...(local ? { signInToken: await createSignInLink(db, local.id, SIGN_IN_LINK_TTL_MS) } : {}),
  };
}
