"""Tables of the shared machinery: job runs, the transactional outbox, the audit log, attempt counters."""

from piccolo.columns import JSON
from piccolo.columns import BigInt
from piccolo.columns import Integer
from piccolo.columns import Serial
from piccolo.columns import Text
from piccolo.columns import Timestamptz
from piccolo.columns import Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class JobRun(Table):
    """One run of a scheduled job for one key (a period, a date): a job that runs twice does its work once."""

    id = Serial(primary_key=True)
    name = Varchar(length=64)
    key = Varchar(length=64)
    status = Varchar(length=16, default="running")
    started_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
    detail = Text(default="")


class JobState(Table):
    """Each scheduled job's last run and last failure, one row per job written over at every run that did its work
    (the administrators' page of jobs reads every job in one query), and the start of the run going on now."""

    id = Serial(primary_key=True)
    name = Varchar(length=64, unique=True)
    key = Varchar(length=64, default="")  # the last run's key (a day, a period) for a job run once per key
    status = Varchar(length=16)  # done, failed
    started_at = Timestamptz()
    finished_at = Timestamptz()
    items = Integer(null=True, default=None)  # what the run did, when the job counts it (messages sent, rows swept)
    failed_at = Timestamptz(null=True, default=None, index=True)  # the last failure (the overview's warning counts)
    error = Text(default="")  # the last failure's error, shortened
    failure = Integer(null=True, default=None)  # its ``JobFailure`` row, counted again while it fails the same way
    # When the run going on now started (null once it is recorded): a run whose worker died, or that hangs, keeps it.
    running_since = Timestamptz(null=True, default=None)


class JobFailure(Table):
    """A failed run of a scheduled job, kept ``FAILURES_KEPT_DAYS``: a job failing the same way run after run (the
    outbox's sender every few seconds while the mail server is away) keeps one row, its count and last time."""

    id = Serial(primary_key=True)
    name = Varchar(length=64)
    key = Varchar(length=64, default="")  # the run's key (a day, a period) for a job run once per key
    started_at = Timestamptz()  # the first failure of the row
    last_at = Timestamptz(index=True)
    times = Integer(default=1)
    error = Text(default="")


class OutboxMessage(Table):
    """A message to deliver (e-mail, SMS, in-app), written in the same transaction as the change it tells of."""

    id = Serial(primary_key=True)
    channel = Varchar(length=16, index=True)
    recipient = Varchar(length=255)
    user_id = Integer(null=True, default=None, index=True)
    template = Varchar(length=64, index=True)  # indexed: the messages carrying one-time links are deleted by it
    subject = Varchar(length=255, default="")
    body = Text(default="")
    context = JSON(default="{}")
    dedupe_key = Varchar(length=200, unique=True)
    # What the message is about, for its delivery log ("post:42"); empty for one-off messages.
    ref = Varchar(length=64, default="")
    status = Varchar(length=16, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    sent_at = Timestamptz(null=True, default=None)
    read_at = Timestamptz(null=True, default=None)


class AuditEvent(Table):
    """A staff write: who changed which record, and the fields before and after."""

    id = Serial(primary_key=True)
    actor_id = Integer(null=True, default=None, index=True)
    actor_name = Varchar(length=200, default="")
    actor_search = Varchar(length=200, default="")  # the name as core.search stores it, for the log's filter
    action = Varchar(length=64, index=True)
    entity = Varchar(length=64, index=True)
    entity_id = BigInt(null=True, default=None)
    changes = JSON(default="{}")
    ip = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class AttemptCounter(Table):
    """Attempts counted against a limit (``core.limits``: sign-ins, codes, resets, uploads) where Redis is not
    used: one row per bucket, raised in one atomic statement, the window starting at its first attempt. The table
    was created by a migration of accounts, where it began."""

    id = Serial(primary_key=True)
    bucket = Varchar(length=120, unique=True)
    hits = Integer(default=0)
    window_ends = BigInt(default=0)  # unix seconds
