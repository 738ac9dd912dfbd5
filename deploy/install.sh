#!/bin/sh
# Install or upgrade Broadsheet in this checkout, as the site's user, with the site's
# environment (docs/operations.md, "One box"). Safe to run again after every upgrade: each
# step does only what is missing.
#   runuser -u broadsheet -- deploy/install.sh
# The environment is the units' EnvironmentFile (BROADSHEET_ENV_FILE names another one).
set -eu
cd "$(dirname "$0")/.."
env_file="${BROADSHEET_ENV_FILE:-/etc/broadsheet/broadsheet.env}"
if [ -f "$env_file" ]; then
    set -a
    . "$env_file"
    set +a
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/python manage.py migrate --no-input
.venv/bin/python manage.py collectstatic --no-input --verbosity 0
.venv/bin/python manage.py broadsheet_setup --no-input
.venv/bin/python manage.py check --deploy --fail-level WARNING
