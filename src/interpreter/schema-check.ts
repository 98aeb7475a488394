// Compile-time proof that the interpreter's types and schemas/playbook.schema.json agree: every playbook
// the schema accepts is a PlaybookDefinition the interpreter takes. The typecheck fails otherwise.
import type { RapportPlaybook, Step as SchemaStep, Window, Cap } from '../generated/playbook.js';
import type { PlaybookDefinition, SendingCap, SendingWindow, Step } from './types.js';

type Assert<T extends true> = T;
type Assignable<From, To> = [From] extends [To] ? true : false;

export type SchemaPlaybooksAreDefinitions = Assert<Assignable<RapportPlaybook, PlaybookDefinition>>;
export type SchemaStepsAreSteps = Assert<Assignable<SchemaStep, Step>>;
export type SchemaWindowsAreWindows = Assert<Assignable<Window, SendingWindow>>;
export type SchemaCapsAreCaps = Assert<Assignable<Cap, SendingCap>>;
