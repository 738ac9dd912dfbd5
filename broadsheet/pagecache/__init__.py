"""The anonymous full-page cache, and its purge when the newsroom publishes.

Glossary
- Scope: the part of the site a cached page belongs to: an edition's language code (its URL
  prefix), or "site" for pages outside any edition (sitemaps, robots.txt).
- Generation: a random token per scope. A cached page is served only while the token it was
  stored with is still the scope's token; a purge replaces the token, so every page of the scope
  goes stale at once, in every process, with one cache write. A publish changes the home,
  sections, tags, feeds and the "latest" rail of every article of its edition, so purging the
  whole edition is exactly what a publish needs.
- Front proxies: caching reverse proxies (Varnish) in front of the web processes; a purge sends
  them a BAN for the scope (see deploy/varnish/).
"""
