"""The central's tables (SQLAlchemy Core); the same on SQLite and PostgreSQL. Alembic migrations in
central/migrations create and change them."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

sites = Table(
    "sites",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("timezone", String(64), nullable=False),
    Column("config", Text, nullable=False),  # names, service points, reasons: JSON
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Retired: no new kiosks or config changes; its events, uploads and reports go on.
    Column("retired_at", DateTime(timezone=True)),
)

devices = Table(
    "devices",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("site_id", String(64), ForeignKey("sites.id"), nullable=False),
    Column("kiosk_id", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("range_slot", Integer, nullable=False),  # which block of ticket numbers it was given
    Column("enrolled_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_seen_at", DateTime(timezone=True)),
    Column("heartbeat", Text),  # the last heartbeat's JSON
    Column("heartbeat_at", DateTime(timezone=True)),
)
# One block of queue numbers per live kiosk of a site: the database refuses a second holder,
# and a revoked kiosk's block is free again.
Index(
    "devices_live_slot",
    devices.c.site_id,
    devices.c.range_slot,
    unique=True,
    sqlite_where=devices.c.revoked_at.is_(None),
    postgresql_where=devices.c.revoked_at.is_(None),
)

enroll_codes = Table(
    "enroll_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("site_id", String(64), ForeignKey("sites.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Column("device_id", String(36)),
)

events = Table(
    "events",
    metadata,
    Column("id", String(36), primary_key=True),  # the kiosk's UUID: the dedup key end to end
    Column("site_id", String(64), ForeignKey("sites.id"), nullable=False),
    Column("device_id", String(36), ForeignKey("devices.id"), nullable=False),
    Column("type", String(16), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),  # the kiosk's own clock
    Column("corrected_at", DateTime(timezone=True), nullable=False),  # what reports use
    Column("clock_suspect", Boolean, nullable=False),
    Column("service_point", String(64)),
    Column("rating", SmallInteger),
    Column("reason", String(64)),
    Column("misuse", Boolean),
    Column("comment", Text),  # redacted on the kiosk; for the comments listing
    Column("content", Text, nullable=False),  # canonical JSON: equal text = a duplicate
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("batch_id", String(36), nullable=False),
    # Completeness (wire fields of kiosks since schema 2; NULL from older kiosks): the kiosk's
    # outbox and the event's sequence number in it.
    Column("outbox_id", String(36)),
    Column("seq", Integer),
    Column("language", String(16)),
    # Why the event is kept apart in reports, e.g. "reason-unknown"; NULL for an ordinary one.
    Column("flag", String(32)),
    # When the comment was deleted (retention or a data-subject request): `comment` is NULL and
    # so is the comment in `content`; a resend with its text is still a duplicate.
    Column("comment_deleted_at", DateTime(timezone=True)),
    # A response (the national question set, sync.protocol.ResponseEvent): the set and its
    # version, the question, its scale and the answer (NULL: "I cannot say", or a comment),
    # and the visit that gave it; NULL on feedback and check-ins.
    Column("question_set", String(64)),
    Column("set_version", Integer),
    Column("question", String(64)),
    Column("scale", String(16)),
    Column("answer", SmallInteger),
    Column("visit", String(36)),
)
Index("events_by_site_time", events.c.site_id, events.c.corrected_at)
Index("events_by_outbox_seq", events.c.device_id, events.c.outbox_id, events.c.seq)
Index("events_by_flag", events.c.flag, events.c.site_id)
Index(
    "events_commented_by_received",
    events.c.received_at,
    sqlite_where=events.c.comment.is_not(None),
    postgresql_where=events.c.comment.is_not(None),
)

# Per device and outbox: how many distinct seqs of it the central holds and their range.
# Equal `received` and `max_seq - min_seq + 1` means no gap; otherwise the gaps are found in
# events_by_outbox_seq. Updated in the same transaction as the events it counts.
outbox_progress = Table(
    "outbox_progress",
    metadata,
    Column("device_id", String(36), ForeignKey("devices.id"), primary_key=True),
    Column("outbox_id", String(36), primary_key=True),
    Column("received", Integer, nullable=False),
    Column("min_seq", Integer, nullable=False),
    Column("max_seq", Integer, nullable=False),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
)

# Rollups: per site x service point x UTC hour. Reports read these, never the raw events.
# Helsinki's offsets are whole hours, so UTC hours map exactly onto local hours.
rollups = Table(
    "rollups",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("service_point", String(64), primary_key=True),  # "" for feedback without one
    Column("hour", DateTime(timezone=True), primary_key=True),
    *(Column(f"r{n}", Integer, nullable=False, server_default="0") for n in (1, 2, 3, 4)),
    *(Column(f"m{n}", Integer, nullable=False, server_default="0") for n in (1, 2, 3, 4)),
    Column("checkins", Integer, nullable=False, server_default="0"),
)

reason_rollups = Table(
    "reason_rollups",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("service_point", String(64), primary_key=True),
    Column("hour", DateTime(timezone=True), primary_key=True),
    Column("reason", String(64), primary_key=True),
    Column("misuse", Boolean, primary_key=True),
    Column("count", Integer, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),  # admin | it | manager
    Column("sites", Text, nullable=False),  # JSON list of site ids; [] = every site
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),  # to the hour (ACCESS_MARK_EVERY)
)

# The same counts per local day of the site (its own time zone): day, week, month and service
# point reports read a few rows a day instead of 24.
daily_rollups = Table(
    "daily_rollups",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("service_point", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    *(Column(f"r{n}", Integer, nullable=False, server_default="0") for n in (1, 2, 3, 4)),
    *(Column(f"m{n}", Integer, nullable=False, server_default="0") for n in (1, 2, 3, 4)),
    Column("checkins", Integer, nullable=False, server_default="0"),
)

daily_reason_rollups = Table(
    "daily_reason_rollups",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("service_point", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("reason", String(64), primary_key=True),
    Column("misuse", Boolean, primary_key=True),
    Column("count", Integer, nullable=False),
)

# Feedback per local day by the visitor's language on the kiosk (a wire tag: "fi", "fi-x-easy"),
# for the reports' answers by language.
daily_language_rollups = Table(
    "daily_language_rollups",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("service_point", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("language", String(16), primary_key=True),
    Column("misuse", Boolean, primary_key=True),
    Column("count", Integer, nullable=False),
)

# Responses to the national question set per local day: how many gave each answer to each
# question (of a set's version) on its scale; `answer` -1 for "I cannot say" (a key is never
# NULL). Comments are not counted here.
NO_ANSWER = -1
daily_answer_rollups = Table(
    "daily_answer_rollups",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("service_point", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("question_set", String(64), primary_key=True),
    Column("set_version", Integer, primary_key=True),
    Column("question", String(64), primary_key=True),
    Column("scale", String(16), primary_key=True),
    Column("answer", SmallInteger, primary_key=True),
    Column("misuse", Boolean, primary_key=True),
    Column("count", Integer, nullable=False),
)

# Failed enrolments (an unknown, used or expired code), kept for the rate limit's window so the
# limit holds across worker processes and restarts. Never the code itself.
enroll_failures = Table(
    "enroll_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("address", String(64), nullable=False),  # the client's IP address
    Column("site_id", String(64)),  # the code's site, when the code exists
    Column("reason", String(32), nullable=False),  # EnrollmentError.reason
)
Index("enroll_failures_by_address", enroll_failures.c.address, enroll_failures.c.at)
Index("enroll_failures_by_site", enroll_failures.c.site_id, enroll_failures.c.at)
Index("enroll_failures_by_time", enroll_failures.c.at)

# Retention: per kind ("events"), the moment before which the central keeps none (raw events
# deleted by central.retention); ingest refuses events older than it, so a resent event that was
# deleted is never counted twice. One row per kind from the migration on; NULL: nothing deleted.
retention_horizons = Table(
    "retention_horizons",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("kept_from", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
)

# People who sign in to the web console (central.people): with a password (argon2) or through
# single sign-on (OpenID Connect: `oidc_subject` is "issuer subject"). Role and sites as for API
# keys; e-mail addresses are stored in lower case.
people = Table(
    "people",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", Text),  # NULL: signs in only through single sign-on
    Column("role", String(16), nullable=False),  # admin | it | manager
    Column("sites", Text, nullable=False),  # JSON list of site ids; [] = every site
    Column("language", String(8)),  # fi | sv | en; NULL: the browser's
    Column("oidc_subject", String(512), unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True)),
    Column("last_signin_at", DateTime(timezone=True)),
)

# Signed-in browsers (central.web_sessions): the cookie holds a random token, this its hash, so
# a session ends at once everywhere when it is deleted or its person is disabled.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("person_id", String(36), ForeignKey("people.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)
Index("web_sessions_by_person", web_sessions.c.person_id)

# Failed sign-ins per e-mail address (known or not, so a lockout tells nothing of who has an
# account) and client address, kept for the lockout's window.
signin_failures = Table(
    "signin_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("email", String(320), nullable=False),
    Column("address", String(64), nullable=False),
)
Index("signin_failures_by_email", signin_failures.c.email, signin_failures.c.at)
Index("signin_failures_by_address", signin_failures.c.address, signin_failures.c.at)

# Single sign-on in progress (central.oidc): between the redirect to the identity provider and
# its answer, the flow's state (as a hash), nonce and PKCE verifier, and the hash of the
# browser's own random cookie, so that the answer counts only in the browser that asked, only
# once, and in any worker or server. Rows live minutes; each new sign-on clears the old ones.
sso_states = Table(
    "sso_states",
    metadata,
    Column("state_hash", String(64), primary_key=True),
    Column("browser_hash", String(64), nullable=False),
    Column("nonce", String(128), nullable=False),
    Column("code_verifier", String(128), nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("next_path", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("sso_states_by_time", sso_states.c.created_at)

# Scheduled reports (central.report_subscriptions): a person gets the PDF of one site, or of
# every site they may read (scope "*"), weekly or monthly, by e-mail.
report_subscriptions = Table(
    "report_subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("person_id", String(36), ForeignKey("people.id"), nullable=False),
    Column("scope", String(64), nullable=False),  # a site id, or "*": every site they may read
    Column("frequency", String(16), nullable=False),  # weekly | monthly
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(36), nullable=False),  # the person who subscribed them
)
Index(
    "report_subscriptions_once",
    report_subscriptions.c.person_id,
    report_subscriptions.c.scope,
    report_subscriptions.c.frequency,
    unique=True,
)

# What was sent for which period: the row is the claim (primary key: one per subscription and
# period, whichever worker or server inserts it first), then the record of the e-mail queued.
report_sends = Table(
    "report_sends",
    metadata,
    Column("subscription_id", String(36), primary_key=True),  # no foreign key: outlives it
    Column("period_first", Date, primary_key=True),
    Column("period_last", Date, nullable=False),
    Column("state", String(16), nullable=False),  # claimed | sent
    Column("claim", String(36), nullable=False),  # the claiming run's token
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("delivery_id", String(36)),  # central.deliveries' row of the e-mail
    Column("person_id", String(36), nullable=False),
    Column("sites", Text, nullable=False),  # JSON list of the site ids the PDF held
)
Index("report_sends_by_state", report_sends.c.state, report_sends.c.claimed_at)

# The delivery queue (central.deliveries): each e-mail and webhook call to make, queued in the
# transaction of the alert or report that made it, sent by a worker after the commit, retried
# until it is sent or has failed. A worker owns a row while `claimed_until` is in the future.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(8), nullable=False),  # email | webhook
    Column("target", Text, nullable=False),  # the address, or the webhook's URL
    Column("site_id", String(64)),  # whose it is (NULL: several sites, e.g. a region's report)
    Column("about", String(128), nullable=False),  # what made it: "alert:ID", "report:ID:DAY"
    Column("subject", Text, nullable=False),  # the e-mail's subject or the notice's title
    Column("body", LargeBinary, nullable=False),  # the whole e-mail (MIME) or the JSON body
    Column("secret", Text),  # a webhook's signing secret
    Column("status", String(8), nullable=False),  # queued | sending | sent | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("claimed_until", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
)
Index("deliveries_due", deliveries.c.status, deliveries.c.next_attempt_at)
Index("deliveries_by_time", deliveries.c.created_at)

# Alerts (central.alerts, rules in central.alert_rules): per site one rule of each kind, on or
# off, with its parameters (JSON); a site without a row of a kind has that kind's defaults.
alert_rules = Table(
    "alert_rules",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("kind", String(16), primary_key=True),  # central.alert_rules.KINDS
    Column("enabled", Boolean, nullable=False),
    Column("params", Text, nullable=False),  # JSON: {"share_percent": 50, ...}
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(36)),  # the person; NULL: a command
)

# Who hears of a site's alerts: a person of the console (by e-mail, in their language; only
# while they may read the site) or a webhook (JSON, Teams or Slack body, signed with its secret).
alert_recipients = Table(
    "alert_recipients",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("site_id", String(64), nullable=False),
    Column("person_id", String(36), ForeignKey("people.id")),  # e-mail; NULL for a webhook
    Column("url", Text),  # webhook; NULL for a person
    Column("secret", Text),
    Column("style", String(16)),  # json | teams | slack
    Column("language", String(8)),  # a webhook's language (a person has their own)
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(36)),
)
Index("alert_recipients_by_site", alert_recipients.c.site_id)

# Alert episodes: opened once when a rule's condition starts, cleared when it ends. `subject`
# is the kiosk's device id, or "" for the site's own (unhappy): at most one open episode per
# site, kind and subject, which the database enforces (two workers never open one twice).
alerts = Table(
    "alerts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("site_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("device_id", String(36)),
    Column("kiosk_id", String(64)),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("cleared_at", DateTime(timezone=True)),
    Column("facts", Text, nullable=False),  # JSON: the numbers when it opened
    Column("clear_facts", Text),  # JSON: the numbers when it cleared
    Column("acknowledged_by", String(320)),  # the person's e-mail address
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("ack_comment", Text),
)
Index(
    "alerts_one_open",
    alerts.c.site_id,
    alerts.c.kind,
    alerts.c.subject,
    unique=True,
    sqlite_where=alerts.c.cleared_at.is_(None),
    postgresql_where=alerts.c.cleared_at.is_(None),
)
Index("alerts_by_site_time", alerts.c.site_id, alerts.c.opened_at)
Index("alerts_by_episode", alerts.c.site_id, alerts.c.kind, alerts.c.subject, alerts.c.cleared_at)

# The alerts' timer: one row; the worker that moves `ran_at` on runs the round (central.alerts).
alert_timer = Table(
    "alert_timer",
    metadata,
    Column("name", String(16), primary_key=True),
    Column("ran_at", DateTime(timezone=True)),
)
