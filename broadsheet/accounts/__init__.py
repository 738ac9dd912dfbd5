"""Reader accounts: the user model, sign-in glue (django-allauth), devices and the audit log.

Glossary
- Reader: a User who signs in with their email (allauth). The username exists for Django and
  the Wagtail admin (staff sign in with it); for readers it is generated and never shown.
- Device: one signed-in browser (or app): one Django session of one user. Its name ("Chrome on
  Android") comes from the User-Agent; first seen is the sign-in, last seen is written at most
  every ACCOUNTS_DEVICE_SEEN_EVERY seconds. The device keeps its id while its session key
  changes (a password change keeps the current device with a new key); signing a device out
  deletes its session and its row, so its next request is anonymous.
- Audit entry: one change to a reader's account, subscription or seats: who did it (the reader,
  a member of staff, Stripe, the system), to whom, when, and what.
- Export: the JSON a reader downloads with everything we hold about them; each app adds its
  part through `exports.register`.

See docs/accounts.md.
"""
