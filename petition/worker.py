"""The background worker: everything that runs outside a web request, in one loop.

Each round it sends the outbox's due mail (`petition.mail.sending`), queueing beside each
first confirmation its one reminder when reminders are on (`petition.signing.reminders`);
seals the representatives who have been told all they will be told (review decision
mailed or given up on; merged or withdrawn, once their last mail has gone)
(`petition.coalition.representatives`: mail, a lower layer, knows nothing of organisations
or of signers' rules); builds the delivery packages staff queued in the console
(`petition.delivery.background`); and, once an hour, applies the retention rules
(`petition.retention`), so a deployment that runs the worker also forgets on time. Run it
with `flask --app petition outbox run`; any number of workers may run at once against
PostgreSQL.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from sqlalchemy.exc import InterfaceError, OperationalError

from petition.coalition.representatives import seal_informed
from petition.delivery.background import build_queued_packages
from petition.extensions import db
from petition.mail.sending import deliver_due
from petition.retention import PurgeSchedule
from petition.signing.reminders import schedule_reminders

log = logging.getLogger(__name__)


def run_worker(*, once: bool, poll_seconds: float = 1.0) -> int:
    """Deliver until stopped (SIGTERM or SIGINT), or once when `once`; returns messages handled."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if not once and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
    handled = 0
    purge_schedule = None if once else PurgeSchedule.from_config()
    while True:
        try:
            handled += deliver_due(on_claimed=schedule_reminders)  # first links: a reminder
            seal_informed()  # representatives now told all they will be told
            build_queued_packages(stop=stop)  # packages staff queued in the console
        except (OperationalError, InterfaceError) as error:  # down, restarting, cut off
            db.session.rollback()
            log.warning("outbox: database unavailable (%s); retrying", type(error.orig).__name__)
        if purge_schedule is not None:
            purge_schedule.run_if_due()
        if once or stop.wait(poll_seconds):
            return handled
