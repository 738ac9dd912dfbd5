"""The content API of the newsroom's apps (and partners): /api/v1/, JSON, per edition.

Glossary:
- app device: an `accounts.Device` made by signing in from an app, with one `AppToken`. It is
  listed, named ("Broadsheet app on iPhone") and signed out like a browser; signing it out (or
  a password change elsewhere) deletes the row and with it the token.
- token: the secret an app sends in `Authorization: Bearer <token>`; stored only as its
  SHA-256 (`AppToken.key_hash`), never accepted in a URL.
- installation id: what an app that is not signed in sends in `Broadsheet-Installation`; the
  meter counts it as the web counts the `bs_reader` cookie.
- public part: editions, sections, listings, article details, most viewed, search: the same
  for every reader, cacheable by the front (Varnish) and purged on publish.
- reader part (`/api/v1/me/`): the body of an article through the access decision, "Read
  here", heartbeats, the sharing warning: private, never cached.
"""
