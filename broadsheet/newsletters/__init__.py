"""Newsletters: signup, double opt-in, preferences, the weekly digest and its delivery.

Glossary
- Newsletter: a list readers sign up to, belonging to one edition (a Wagtail locale), e.g. the
  weekly digest or a daily briefing. Its schedule says when the digest goes out.
- Subscriber: one email address (normalised to lower case), whatever the edition. It carries
  the suppression: an address that hard-bounced or complained gets no more mail at all.
- Subscription: a subscriber on one newsletter: pending (asked, not yet confirmed by the
  confirmation email), confirmed, or unsubscribed. Only confirmed ones receive issues.
- Issue: one edition of a newsletter: subject, intro and ordered items (articles). Draft,
  scheduled, sending, sent or cancelled. Its HTML and text are rendered once, when the send
  starts, with placeholders for the few personal parts (the unsubscribe and preference links).
- Delivery: one recipient of one issue, snapshotted when the send starts: pending, handed over
  (the message has been given to the mail server up to its very last line and the record of it
  committed), sent, deferred (a 4xx: retried), failed (a 5xx or too many 4xx) or skipped
  (suppressed after the snapshot); unconfirmed (handed over, the server's answer never
  recorded), which staff resend once or mark received. It keeps its message's Message-ID. The
  unique (issue, subscriber) pair and the conditional pending -> handed-over update are what
  make "never twice" hold.
- Batch: a slice of an issue's deliveries that one worker claims at a time with a conditional
  update (pending -> sending) and a lease it renews; a batch whose lease ran out (its worker
  died) is claimed again by another worker.
- Suppression: the stop put on an address by a hard bounce, a complaint or an operator.
- Token: a signed, unguessable string in a link (confirm, preferences, unsubscribe) that proves
  the holder received our email; no sign-in needed.

See docs/newsletters.md for the delivery guarantee and how to run it.
"""
