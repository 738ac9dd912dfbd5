"""The newsroom: editions, sections, articles, authors and tags, and the reader's pages.

Glossary
- Edition: one Wagtail locale with its own home page (EditionPage), language and currency.
- Section: a front inside an edition (World, Politics...); articles live under one section.
- Article: a story. Its access level (free, metered, subscribers) is decided in `access`.
- Top stories: the articles an editor pins to the top of the edition home, in order.
- Translation: the same story in another edition; Wagtail's translation_key links them.
"""
