"""The audit log's words for what the notifications write (``core.audit.describe``): a person's choice of channels,
as the topics turned on and off on each channel, read as the settings page names the topics."""

from portal.core.audit import describe
from portal.core.i18n import lazy
from portal.notifications.rules import TOPIC_LABELS

CHANGED = ("email_on", "email_off", "sms_on", "sms_off", "push_on", "push_off")

describe(
    actions={"notifications.choices": lazy("Channels of notifications chosen")},
    fields={
        "email_on": lazy("E-mail turned on for"),
        "email_off": lazy("E-mail turned off for"),
        "sms_on": lazy("SMS turned on for"),
        "sms_off": lazy("SMS turned off for"),
        "push_on": lazy("Push turned on for"),
        "push_off": lazy("Push turned off for"),
    },
    values=dict.fromkeys(CHANGED, TOPIC_LABELS),
    lists=CHANGED,
)
