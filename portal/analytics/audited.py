"""The audit log's words for what the analytics write (``core.audit.describe``): NPS surveys and monthly KPI; a
month reads as the month, a KPI month's status in words, a complex by its name."""

from portal.analytics.tables import KpiStatus
from portal.core import audit
from portal.core.audit import Ref
from portal.core.audit import describe
from portal.core.i18n import lazy
from portal.core.labels import Labels

# A KPI month's status as the audit log says it.
KPI_STATUS_LABELS = Labels({KpiStatus.DRAFT: lazy("Draft"), KpiStatus.APPROVED: lazy("Approved")})

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
    values={"period": audit.month, "status": KPI_STATUS_LABELS, "complex": Ref("complex")},
)
