"""Subscriptions: plans, prices, subscriptions, seats, organisations, invitations and billing.

Glossary
- Plan: what a reader can buy in one edition: Digital (one person), Premium (the holder and one
  invited person) or Business (N seats an organisation buys). Data, edited by staff in the
  Wagtail admin ("Plans").
- Price: a plan's amount for an interval (month or year), in integer minor units (cents) of
  the edition's ISO 4217 currency, with its Stripe price id. Business prices are per seat.
- Subscription: one purchase of a plan: bought through Stripe (source "stripe") or granted by
  staff (source "comp", with an end date). Its status follows Stripe's: trialing, active,
  past_due (access for a grace period), canceled (runs to the end of the paid period, then
  ends), ended (no access), incomplete (checkout not paid yet).
- Seat limit: how many people a subscription entitles: 1 (Digital), 2 (Premium), the quantity
  bought (Business).
- Seat: one person entitled by a subscription. The holder of a Digital or Premium plan has one
  from the start; everyone else gets one by accepting an invitation. Never more seats than the
  seat limit: enforced under a row lock on the subscription (lock_objects.py).
- Invitation: an emailed, single-use, expiring link that gives its addressee a seat when they
  accept it signed in with that email. Pending invitations count against the seat limit when
  a new one is sent.
- Organisation: the buyer of a Business plan; its admins invite, remove and reassign people
  and buy more seats.
- Entitlement: the answer of `selectors.entitlement_for(user)`: which seat of which
  subscription lets this reader read now, if any. Cached; every change drops it.
- Billing event: one Stripe webhook event, stored once by its id, applied once, in any order.
- Comp: a complimentary subscription granted by staff, with an end date.

See docs/billing.md.
"""
