"""Audience: counting article views, "Most viewed" per edition, and the newsroom's dashboard.

Glossary
- Hit: one countable event about one article in one edition: a view (an article page shown to a
  reader), a paywall hit (the reader met the paywall on it) or a subscription attributed to it.
  Views carry where the reader came from (the source).
- Source: the group of the page the reader came from: search, social, newsletter, direct (no
  referrer), internal (another page of ours), other sites, or unknown (no JavaScript, so the
  browser could not tell us).
- Reader key: a short hash of the reader's address and browser with a secret salt that changes
  every day (UTC). It is kept only as long as the reload window, to count one reader once.
- Reload window: reloads of the same article by the same reader within it count once
  (AUDIENCE_DEDUPE_MINUTES, 30).
- Beacon: the tiny uncached request a shown article page makes to count itself, so that pages
  served from the page cache or from Varnish are counted too.
- Store: where live counters live: Redis when configured, else the database; both behind one
  interface (stores/base.py) and one contract test.
- Bucket: the views of one edition in one clock hour (UTC). A window of N hours is the current
  bucket and the N - 1 before it; "24 hours" and "7 days" are kept precomputed in Redis.
- History: hourly totals per article (ArticleHourlyCount) and daily sources per article
  (ArticleDailySource) in the database. With Redis they are copied there by the tick, so they
  survive a Redis flush and rebuild the counters after one.
- Tick: `manage.py audience_tick`, run every minute: persists, rolls the windows, restores a
  flushed Redis, prunes.

See docs/audience.md for how a view flows and how it scales.
"""
