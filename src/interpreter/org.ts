// The organisation as templates see it (`org`): pipelines/org.yaml, with the news a message tells
// worked out for the moment it is rendered — the latest past items and the events still to come.
// Pure, so the send activity and the simulator show the same news.

export interface NewsItem {
  kind: 'hire' | 'event' | 'responsibility' | 'product' | 'team' | 'award';
  title: string;
  /** YYYY-MM-DD. */
  date: string;
  summary?: string;
  url?: string;
  place?: string;
}

export interface OrgContent {
  name: string;
  careers_url?: string;
  logo_url?: string;
  senders?: Record<string, { name?: string; email: string }>;
  news?: NewsItem[];
}

/** How many past items `org.latest_news` holds. */
const LATEST = 3;

/** `org` in the Liquid scope at `now` (ISO). */
export function orgScope(org: OrgContent, now: string): Record<string, unknown> {
  const today = now.slice(0, 10);
  const byDate = [...(org.news ?? [])].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  // An event is upcoming through its day, and news once it is over.
  const past = byDate.filter((n) => (n.kind === 'event' ? n.date < today : n.date <= today)).reverse();
  return {
    ...org,
    news: [...byDate].reverse(),
    latest_news: past.slice(0, LATEST),
    upcoming_events: byDate.filter((n) => n.kind === 'event' && n.date >= today),
  };
}

/** A `from` naming one of the organisation's sender identities, as an address; anything else as it is. */
export function senderAddress(org: OrgContent, from: string): string {
  const sender = org.senders?.[from];
  if (!sender) return from;
  return sender.name ? `${sender.name} <${sender.email}>` : sender.email;
}
