"""Access: what a reader gets of an article's body, metering, and one device at a time.

Glossary
- Access level: an article's setting, one of `rules.LEVELS`: free (everyone reads it, nothing
  is asked or recorded), metered (readers without a seat read a few a period, then a wall),
  subscribers (only entitled readers). An unknown level is treated as subscribers only.
- Reader: who asks, as the rules see them (`rules.Reader`): anonymous (known by the reader
  cookie, a random bearer id), signed in, and entitled or not.
- Entitled: holding a seat of a subscription that grants access now
  (`subscriptions.selectors.entitlement_for`).
- Meter: the articles a reader without a seat has read in the current period (the anonymous
  reader's cookie, or the account); reading one again counts nothing.
- Wall: what replaces the body when the meter is used up: the registration wall (anonymous)
  or the paywall (signed in, no seat).
- Slot: the one reading place of a seat. A device holds it while it keeps reading within the
  lease (`ACCESS_SLOT_LEASE_SECONDS`); a free slot is taken silently.
- Device: a signed-in browser (`accounts.models.Device`); the slot is held under its id.
- Fence: the number a holder is served with; it grows on every change of hands, so a page of
  a device that lost the slot learns it at its next heartbeat.
- Heartbeat: an open page's "still reading" call, which renews the lease.
- Device notice: what a device gets instead of the body while another device holds the slot.
- Takeover: "Read here": a device takes the slot another device holds (recorded, `Takeover`).
- Sharing flag: three takeovers within a day mark the seat as shared (`SharingFlag`): a
  warning on every page of its devices until a way out (a password change, one device left,
  an upgrade, staff, or a quiet week).
- Store: where slots and meters live (`stores/`): Redis, or the database without Redis; both
  pass one contract test.
- Fail open / fail closed: with the store down, entitled readers still read (open); metered
  bodies are withheld from the others (closed).

See docs/access.md.
"""
