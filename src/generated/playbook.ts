// Generated from schemas/playbook.schema.json by `npm run schema:types`. Do not edit.

/**
 * A duration: 90m, 12h, 3d, 2w, or ISO 8601 such as P1M.
 */
export type Duration = string;
/**
 * One step: exactly one verb (send, wait, waitFor, if, update, task, enroll, find, webhook, repeat, exit) and an optional id.
 */
export type Step =
  | {
      id: Id;
      /**
       * Template id, or { template, channel, to, from }.
       */
      send:
        | string
        | {
            /**
             * Template id: pipelines/templates/<id>.liquid.
             */
            template: string;
            /**
             * Delivery channel (default: the template's, else email).
             */
            channel?: 'email' | 'sms';
            /**
             * Recipient: the candidate (default), or `owner` — a notification to the candidate's owner, else the playbook's; the candidate's consent and cap do not apply to it.
             */
            to?: 'candidate' | 'owner';
            /**
             * Sender, overriding the template's `from` and the playbook owner.
             */
            from?: string;
            window?: Window;
            cap?: Cap;
          };
    }
  | {
      id?: Id;
      /**
       * A duration, or { until: <expression giving a date-time> }.
       */
      wait:
        | Duration
        | {
            until: Expression;
          };
    }
  | {
      id: Id;
      /**
       * The event(s) to wait for, an optional condition on them (with `event` in scope), and how long to wait.
       */
      waitFor: {
        event: EventTypes;
        if?: Expression;
        timeout: Duration;
      };
      then?: Steps;
      else?: Steps;
    }
  | {
      id?: Id;
      if: Expression;
      then?: Steps;
      else?: Steps;
    }
  | {
      id?: Id;
      /**
       * Fields to set, tags to add or remove, static talent pools to join or leave.
       */
      update: {
        /**
         * Fields to set; values may use Liquid ({{ … }}).
         */
        set?: {
          [k: string]: string | null;
        };
        /**
         * Tags to add and remove.
         */
        tags?: {
          /**
           * Tags to add (kept once each).
           */
          add?: string[];
          /**
           * Tags to remove.
           */
          remove?: string[];
        };
        /**
         * Static talent pools to add the candidate to or remove them from (docs/campaigns.md).
         */
        pools?: {
          /**
           * Static talent pools to add the candidate to (a pool of that name is created, static, if there is none).
           */
          add?: string[];
          /**
           * Static talent pools to take the candidate out of.
           */
          remove?: string[];
        };
      };
    }
  | {
      id: Id;
      /**
       * The task to create.
       */
      task: {
        /**
         * What to do; may use Liquid.
         */
        title: string;
        /**
         * `owner` (default) or an email address.
         */
        assignee?: string;
        due?: Duration;
      };
    }
  | {
      id?: Id;
      /**
       * The playbook to enroll into.
       */
      enroll: {
        /**
         * Id of the playbook to start.
         */
        playbook: string;
        job?: Expression;
      };
    }
  | {
      id?: Id;
      /**
       * The search.
       */
      find: {
        /**
         * What candidates must match.
         */
        match: {
          /**
           * Skills, any of them (Liquid allowed).
           */
          skills?: string[];
          /**
           * Location (Liquid allowed).
           */
          location?: string;
          /**
           * Tags, all of them.
           */
          tags?: string[];
          /**
           * Seniority (Liquid allowed).
           */
          seniority?: string;
        };
        /**
         * At most this many candidates.
         */
        limit: number;
        /**
         * Tags ranked first, in order (e.g. silver-medalist, nurtured).
         */
        prefer?: string[];
        /**
         * Candidates to leave out.
         */
        exclude?: {
          /**
           * Any of these tags.
           */
          tags?: string[];
          contacted_within?: Duration;
        };
      };
    }
  | {
      id?: Id;
      /**
       * The call.
       */
      webhook: {
        /**
         * URL; may use Liquid. Secrets only as {{ env.NAME }}, resolved when the call is made and never stored.
         */
        url: string;
        /**
         * HTTP method (default POST).
         */
        method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
        /**
         * JSON body; string values may use Liquid.
         */
        body?: {};
        /**
         * Request headers; values may use Liquid and {{ env.NAME }} secrets.
         */
        headers?: {
          [k: string]: string;
        };
      };
    }
  | {
      id?: Id;
      /**
       * The loop: at least one of times, until, forever.
       */
      repeat: (
        | {
            [k: string]: unknown;
          }
        | {
            [k: string]: unknown;
          }
        | {
            [k: string]: unknown;
          }
      ) & {
        every?: Duration;
        /**
         * How many iterations.
         */
        times?: number;
        until?: Expression;
        /**
         * Repeat for as long as the journey lasts (birthdays, newsletters).
         */
        forever?: true;
        steps: Steps;
      };
    }
  | {
      id?: Id;
      /**
       * Why the journey ends.
       */
      exit: string;
    };
/**
 * Step id in kebab-case, unique in the playbook; names the step in analytics and migrations.
 */
export type Id = string;
/**
 * A Liquid expression, e.g. "event.type == 'candidate.open_to_work'".
 */
export type Expression = string;
/**
 * One event type or a list.
 */
export type EventTypes = EventType | [EventType, ...EventType[]];
/**
 * An event type such as candidate.replied.
 */
export type EventType = string;
/**
 * Steps, run in order.
 *
 * @minItems 1
 */
export type Steps = [Step, ...Step[]];

/**
 * One playbook per file in pipelines/; the file name is the playbook id. See docs/playbooks.md.
 */
export interface RapportPlaybook {
  /**
   * Playbook id in kebab-case; equals the file name without .yaml.
   */
  playbook: string;
  /**
   * Which stage of the candidate relationship this playbook serves.
   */
  stage: 'discover' | 'attract' | 'engage' | 'nurture' | 'hire';
  /**
   * Whose journey this is: one per candidate (default) or one per job.
   */
  for?: 'candidate' | 'job';
  /**
   * Bump on every change; running journeys keep the version they enrolled with.
   */
  version: number;
  /**
   * What the playbook is for, in a sentence.
   */
  title?: string;
  /**
   * Default sender of messages, and the owner of candidates who have none: tasks and `to: owner` notifications go to the candidate's owner, else to this address.
   */
  owner?: string;
  /**
   * When a subject joins this playbook.
   */
  enroll: {
    /**
     * Event types that enroll the subject. Empty: the playbook is only started by other playbooks' `enroll` steps.
     *
     * @minItems 0
     */
    on: string[];
    /**
     * Liquid expression; the subject is enrolled only when it is true. Scope: candidate, job, event, now, org.
     */
    if?: string;
    /**
     * A path into the enrolling event's data (e.g. data.recruiting_event.id): the subject runs one journey at a time per value (re-entry counts per value too), and an exit event carrying another value leaves the journey alone.
     */
    per?: string;
    /**
     * Whether a subject who already went through this playbook may enroll again: never (default), always, or after a duration since the last enrollment.
     */
    reentry?:
      | ('never' | 'always')
      | {
          after: Duration;
        };
  };
  /**
   * Events that end the journey at once, even mid-wait.
   */
  exit?: {
    /**
     * Event types that end the journey.
     */
    on: string[];
  };
  /**
   * Event type counted as a conversion in funnel numbers.
   */
  goal?: string;
  /**
   * What the journey does, in order.
   *
   * @minItems 1
   */
  steps: [Step, ...Step[]];
  /**
   * Defaults for every send in this playbook.
   */
  sending?: {
    window?: Window;
    cap?: Cap;
  };
  /**
   * IANA time zone used when a candidate has none (default UTC).
   */
  timezone?: string;
}
/**
 * When messages may be sent, in the candidate's local time. A send outside it waits for it to open.
 */
export interface Window {
  /**
   * Days of the week (default: every day).
   *
   * @minItems 1
   */
  days?: [
    'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun',
    ...('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[],
  ];
  /**
   * Opening time, HH:MM.
   */
  from: string;
  /**
   * Closing time, HH:MM (exclusive).
   */
  to: string;
  /**
   * `candidate` (default: the candidate's timezone, else the playbook's) or an IANA time zone name.
   */
  timezone?: string;
}
/**
 * At most this many messages to one candidate across all playbooks in the period; a send over the cap waits until it fits.
 */
export interface Cap {
  /**
   * How many messages.
   */
  messages: number;
  per: Duration;
}
