import pytest
from django.core.management import call_command

from tests.helpers.browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_dashboard_shows_the_2020_drop_of_the_demo_data_in_a_real_browser(
    browser_page, live_server
):
    # The full-size demo: the shares below are the city report's, within a few points.
    call_command("seed_demo", per_year=800, stdout=open("/dev/null", "w"))  # noqa: SIM115
    page = browser_page
    log_in(page, live_server, "manager", "stockholm")
    # Every unit: the manager's own unit is where the dashboard starts.
    page.goto(f"{live_server.url}/dashboard/?unit=all")
    assert page.get_by_role("heading", name="Utfall för Stockholmsjobb").is_visible()
    # The charts were drawn by our own Chart.js (the canvas holds a chart object).
    page.wait_for_function("document.getElementById('chart-share').chart !== undefined")
    for chart in ("chart-mix", "chart-job-types", "chart-places"):
        assert page.evaluate(f"document.getElementById('{chart}').chart !== undefined")
    data = page.evaluate("JSON.parse(document.getElementById('dashboard-data').textContent)")
    share = dict(zip(data["labels"], data["share"]["total"], strict=True))
    women = dict(zip(data["labels"], data["share"]["kvinna"], strict=True))
    men = dict(zip(data["labels"], data["share"]["man"], strict=True))
    assert 55 <= share["T1-2020"] <= 62  # placements ended in 2019
    assert 45 <= share["VB-2020"] <= 52  # ended 2019-09..2020-08: the drop
    assert share["T1-2020"] - share["VB-2020"] >= 5
    assert women["VB-2020"] < men["VB-2020"]
    # The figures are also in the table, with counts beside the percentages.
    row = page.get_by_role("row").filter(has_text="VB-2020").first
    assert str(share["VB-2020"]).replace(".", ",") in row.inner_text()
    assert page.external_requests == []
