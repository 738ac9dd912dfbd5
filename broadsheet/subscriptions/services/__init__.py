"""Writes of subscriptions, one module per concern:

- checkout.py: buying and changing a subscription through Stripe's pages.
- invitations.py: inviting a person to a seat, accepting, withdrawing.
- seats.py: an admin taking a seat, removing one, handing one to someone else.
- organisations.py: the admins of a Business subscription's organisation.
- staff.py: complimentary grants, staff endings, and ending what ran out.
- emails.py, entitlements.py, errors.py: what they share (removal emails, dropping cached
  entitlements on commit, the refusals).

Each function is one transaction that takes its locks from lock_objects.py; emails, tasks and
the dropping of cached entitlements happen after it commits. Calls to Stripe are made outside
any transaction; what Stripe answers reaches our records through billing.py, like a webhook.
"""
