"""The staff dashboard: counts per campaign, confirmations per day as SVG, countries."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from xml.etree import ElementTree

import pytest

from petition.models import Role, Signature, SignatureStatus
from petition.staff.dashboard.charts import daily_bar_chart, nice_ticks
from tests.factories import make_campaign, make_signature, make_staff
from tests.pages import sign_in_staff

SVG = "{http://www.w3.org/2000/svg}"
DAY_ONE = datetime(2025, 1, 28, 9, 30, tzinfo=UTC)


@pytest.fixture
def campaign(app):
    return make_campaign()


def add_signature(
    campaign,
    status: SignatureStatus,
    *,
    country: str = "UA",
    created_at: datetime = DAY_ONE,
    confirmed_at: datetime | None = None,
) -> Signature:
    return make_signature(
        campaign,
        status=status,
        country=country,
        created_at=created_at,
        confirmed_at=confirmed_at,
    )


def confirmed(campaign, when: datetime, country: str = "UA") -> Signature:
    return add_signature(
        campaign,
        SignatureStatus.CONFIRMED,
        country=country,
        created_at=when - timedelta(minutes=5),
        confirmed_at=when,
    )


@pytest.fixture
def known_set(campaign):
    """5 confirmed (UA 3, PL 2) on 28 and 30 January, 1 pending (DE), 1 invalidated (UA)."""
    confirmed(campaign, DAY_ONE, "UA")
    confirmed(campaign, DAY_ONE + timedelta(hours=10), "PL")  # still 28 January in UTC
    confirmed(campaign, DAY_ONE + timedelta(days=2), "UA")
    confirmed(campaign, DAY_ONE + timedelta(days=2, hours=1), "UA")
    confirmed(campaign, DAY_ONE + timedelta(days=2, hours=2), "PL")
    add_signature(campaign, SignatureStatus.PENDING, country="DE")
    add_signature(campaign, SignatureStatus.INVALIDATED, country="UA", confirmed_at=DAY_ONE)
    return campaign


def dashboard_url(campaign) -> str:
    return f"/staff/campaigns/{campaign.id}/dashboard"


def the_svg(html: str) -> ElementTree.Element:
    match = re.search(r"<svg.*?</svg>", html, re.DOTALL)
    assert match, "no inline SVG on the page"
    return ElementTree.fromstring(match.group(0))  # noqa: S314 - our own page, not outside input


def bars(svg: ElementTree.Element) -> list[ElementTree.Element]:
    return [rect for rect in svg.iter(f"{SVG}rect") if rect.get("class") == "chart-bar"]


def table_rows(html: str, caption_start: str) -> list[list[str]]:
    """The rows (cells as text) of the table whose caption starts with `caption_start`."""
    table = html.split(f"<caption>{caption_start}", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        ]
        for row in rows
    ]


def test_home_lists_each_campaign_with_counts_and_rate(client, known_set, moderator):
    other = make_campaign("empty-one")
    html = client.get("/staff/").get_data(as_text=True)

    row = html.split(f'href="/staff/campaigns/{known_set.id}/dashboard"', 1)[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells == ["5", "1", "71.4%"]  # 5 / (5 + 1 + 1)
    assert f'href="/staff/campaigns/{other.id}/dashboard"' in html
    empty_row = html.split(f'href="/staff/campaigns/{other.id}/dashboard"', 1)[1].split("</tr>")[0]
    assert re.findall(r'<td class="num">([^<]*)</td>', empty_row) == ["0", "0", "—"]
    assert "Confirmation rate: confirmed signatures as a share of all signatures" in html


def test_campaign_dashboard_numbers_match_the_known_set(client, known_set, moderator):
    response = client.get(dashboard_url(known_set))
    assert response.status_code == 200
    html = response.get_data(as_text=True)

    totals = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert totals == {
        "Confirmed": "5",
        "Pending": "1",
        "Invalidated": "1",
        "Confirmation rate": "71.4%",
    }
    assert "confirmed, pending and invalidated together" in html

    # Per day, from the first to the last day of confirmation; the invalidated one is left out.
    assert table_rows(html, "Signatures confirmed per day")[1:] == [
        ["Jan 28, 2025", "2"],
        ["Jan 29, 2025", "0"],
        ["Jan 30, 2025", "3"],
    ]
    assert table_rows(html, "Signatures by country")[1:] == [
        ["Ukraine", "3", "0", "1"],
        ["Poland", "2", "0", "0"],
        ["Germany", "0", "1", "0"],
    ]


def test_country_names_follow_the_staff_members_language(client, known_set, moderator):
    html = client.get(dashboard_url(known_set), headers={"Accept-Language": "uk"}).get_data(
        as_text=True
    )
    assert "Україна" in html
    assert "Польща" in html
    assert "Німеччина" in html


def test_chart_is_an_accessible_svg_with_one_bar_per_day_with_data(client, known_set, moderator):
    response = client.get(dashboard_url(known_set))
    html = response.get_data(as_text=True)
    svg = the_svg(html)

    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None
    assert title.text == "Signatures confirmed per day"
    assert desc is not None
    assert "5 in total" in (desc.text or "")
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert len(bars(svg)) == 2  # 28 and 30 January; 29 January had none
    labels = [text.text for text in svg.iter(f"{SVG}text")]
    assert "Day of confirmation (UTC)" in labels
    assert "Signatures confirmed" in labels
    # The CSP forbids inline styles and scripts; the page must not need them.
    assert "style=" not in html
    assert "<script" not in html
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_chart_of_a_single_day(client, campaign, moderator):
    confirmed(campaign, DAY_ONE)
    svg = the_svg(client.get(dashboard_url(campaign)).get_data(as_text=True))
    [bar] = bars(svg)
    width = float(bar.get("width", 0))
    assert 0 < width <= 48
    assert float(bar.get("height", 0)) > 0


def test_chart_of_a_year(client, campaign, moderator):
    for day in range(365):
        confirmed(campaign, DAY_ONE + timedelta(days=day))
    html = client.get(dashboard_url(campaign)).get_data(as_text=True)
    svg = the_svg(html)
    assert len(bars(svg)) == 365
    day_labels = [t for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
    assert 3 <= len(day_labels) - 1 <= 12  # month labels plus the axis title
    assert len(table_rows(html, "Signatures confirmed per day")) == 366


def test_no_chart_before_any_confirmation(client, campaign, moderator):
    add_signature(campaign, SignatureStatus.PENDING)
    html = client.get(dashboard_url(campaign)).get_data(as_text=True)
    assert "<svg" not in html
    assert "No signature has been confirmed yet." in html


def test_unknown_campaign_dashboard_is_404(client, moderator):
    assert client.get("/staff/campaigns/999999/dashboard").status_code == 404


def test_exporter_sees_the_dashboard(client, known_set):
    sign_in_staff(client, make_staff(Role.EXPORTER))
    assert client.get("/staff/").status_code == 200
    assert client.get(dashboard_url(known_set)).status_code == 200


def test_visitors_are_sent_to_sign_in(client, known_set):
    response = client.get(dashboard_url(known_set))
    assert response.status_code == 302
    assert "/staff/sign-in" in response.headers["Location"]


def test_chart_geometry_stays_inside_the_plot():
    start = date(2025, 1, 1)
    for days in (1, 7, 31, 365, 1000):
        chart = daily_bar_chart(
            [(start + timedelta(days=n), n % 5) for n in range(days)],
            title="t",
            description="d",
            x_label="x",
            y_label="y",
            day_label=str,
            full_date=str,
            month_label=str,
            number=str,
        )
        assert all(
            chart.left <= bar.x and bar.x + bar.width <= chart.right + 0.01 for bar in chart.bars
        )
        assert all(
            chart.top - 0.01 <= bar.y and bar.y + bar.height <= chart.bottom + 0.01
            for bar in chart.bars
        )
        assert 1 <= len(chart.x_ticks) <= 10


def test_nice_ticks():
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(1) == [0, 1]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(97) == [0, 50, 100]
    assert nice_ticks(1234) == [0, 500, 1000, 1500]
