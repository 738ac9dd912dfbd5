"""Operations: what an operator runs besides the web processes (docs/operations.md).

Glossary
- Setup: `manage.py broadsheet_setup`, the one idempotent command after `migrate` that makes a
  fresh database a newsroom (editions, roles and workflow, plans, newsletters, agency
  permissions, the first admin). Run twice, it changes nothing.
- Periodic job: a management command that must run again and again (scheduled publishing,
  digests, rollups, expiries). Every one is listed once, in `periodic.PERIODIC_JOBS`, with how
  often it runs; `manage.py scheduler` runs them, and so does the demo (run.py).
"""
