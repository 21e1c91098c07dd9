"""The audit log's words for what the analytics write (``core.audit.describe``): NPS surveys and monthly KPI; a
month reads as the month."""

from portal.core import audit
from portal.core.audit import describe
from portal.core.i18n import lazy

describe(
    actions={
        "nps.open": lazy("NPS survey opened"),
        "kpi.save": lazy("Month's KPI saved"),
        "kpi.approve": lazy("Month's KPI approved"),
    },
    fields={
        "complex": lazy("Complex"),
        "invited": lazy("Residents invited"),
        "efficiency": lazy("Efficiency, %"),
        "lines": lazy("Lines"),
        "period": lazy("Month"),
        "status": lazy("Status"),
    },
    entities={"nps_wave": lazy("NPS survey"), "kpi_month": lazy("Month's KPI")},
    values={"period": audit.month},
)
