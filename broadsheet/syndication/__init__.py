"""Syndication: feeds, sitemaps and the structured data other machines read.

Glossary
- Feed: RSS 2.0 or Atom 1.0 of an edition, a section or a tag, newest first.
- News sitemap: Google News' sitemap of the articles first published in the last 48 hours.
- Structured data: schema.org NewsArticle JSON-LD and Open Graph tags on article pages.
"""
