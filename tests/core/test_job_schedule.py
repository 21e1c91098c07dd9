"""The schedule of a job as the workers' cron sees it."""

from croniter import croniter

from portal.core.jobs import cron_of


def test_every_job_interval_becomes_a_valid_cron() -> None:
    assert cron_of(5) == "* * * * * */5"
    assert cron_of(300) == "*/5 * * * *"
    assert cron_of(3600) == "0 */1 * * *"
    assert cron_of(86400) == "0 0 * * *"
    for seconds in (1, 5, 59, 60, 300, 3599, 3600, 7200, 86400):
        assert croniter.is_valid(cron_of(seconds)), seconds
