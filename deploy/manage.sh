#!/bin/sh
# manage.py as the briefing user, with the environment the services have, e.g.
#   deploy/manage.sh stuck_jobs
#   BRIEFING_RELEASE=/srv/briefing/releases/2026-12-08 deploy/manage.sh migrate
# Install as /usr/local/bin/briefing-manage. /etc/briefing/briefing.env is read by sh
# here and by systemd in the units: keep to KEY=value lines, no quotes or spaces.
set -e
cd "${BRIEFING_RELEASE:-/srv/briefing/current}"
exec sudo -u briefing /bin/sh -c \
    'set -a; . /etc/briefing/briefing.env; set +a; exec .venv/bin/python manage.py "$@"' \
    manage "$@"
