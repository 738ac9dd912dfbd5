"""Agency import: stories from news agencies and partners arrive as drafts, never published.

Glossary
- Source: one agency or partner feed an editor configured: its format (RSS 2.0, Atom or IPTC
  ninjs), its URL, the section its stories go to (and so the edition), how often it is polled,
  and the author given to stories that carry no byline.
- Document: one file a source delivered, fetched by a poll or uploaded by an editor. It is
  parsed whole before anything is written; a broken, oversized or hostile document is refused
  whole, with the reason.
- Item: one story in a document (an RSS item, an Atom entry, a ninjs object). Each item is
  imported in its own transaction: it becomes a draft completely or not at all.
- Story: an item we know, by its source and identity (RSS guid, Atom id, ninjs uri), with the
  version and fingerprint last imported and the draft page it became.
- Version: what the agency says about an item's revision (ninjs `version`, Atom `updated`); the
  fingerprint (a hash of what we read) decides when the agency says nothing. A newer version
  or a changed fingerprint makes a new revision of the story's page; an older version or the
  same fingerprint changes nothing.
- Run: one import of one document, with its counts and the outcome of each item (created,
  updated, unchanged, stale, failed and why): the audit an editor reads in the admin.

See docs/agency.md for how editors use it and the safety limits.
"""
