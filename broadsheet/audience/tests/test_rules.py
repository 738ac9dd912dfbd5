"""The counting rules as plain functions: who is a reader, where they came from, their key."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broadsheet.audience import charts, rules
from broadsheet.audience.hits import Source, hour_index, hour_start, window_hours

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
CUBOT_PHONE = (
    "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)
FACEBOOK_APP = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.40.100;FBBV/612345678;FBDV/iPhone15,2]"
)


@pytest.mark.parametrize("user_agent", [CHROME, IPHONE, CUBOT_PHONE, FACEBOOK_APP])
def test_browsers_are_readers(user_agent):
    assert not rules.is_bot(user_agent)


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "   ",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Twitterbot/1.0",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "WhatsApp/2.23.20.0",
        "Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/109.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "Wget/1.21.4",
        "UptimeRobot/2.0; http://www.uptimerobot.com/",
    ],
)
def test_bots_crawlers_previews_and_scripts_are_not(user_agent):
    assert rules.is_bot(user_agent)


def test_more_bots_come_from_the_settings():
    assert not rules.is_bot(CHROME + " OurMonitor/1.0")
    assert rules.is_bot(CHROME + " OurMonitor/1.0", extra_patterns=("ourmonitor",))


@pytest.mark.parametrize(
    ("headers", "speculative"),
    [
        ({}, False),
        ({"Sec-Purpose": "prefetch"}, True),
        ({"Sec-Purpose": "prefetch;prerender"}, True),
        ({"Purpose": "prefetch"}, True),
        ({"X-Purpose": "preview"}, True),
        ({"X-Moz": "prefetch"}, True),
        ({"Sec-Fetch-Mode": "no-cors", "Accept": "image/*"}, False),
    ],
)
def test_prefetch_and_prerender_are_not_views(headers, speculative):
    assert rules.is_speculative(headers) is speculative


OURS = frozenset({"news.example.com"})


@pytest.mark.parametrize(
    ("referrer", "page_url", "source"),
    [
        (None, "", Source.UNKNOWN),
        ("", "", Source.DIRECT),
        ("https://news.example.com/en-us/", "", Source.INTERNAL),
        ("https://www.google.com/", "", Source.SEARCH),
        ("https://www.google.co.uk/", "", Source.SEARCH),
        ("https://news.google.com/read/abc", "", Source.SEARCH),
        ("https://duckduckgo.com/", "", Source.SEARCH),
        ("https://www.bing.com/search?q=x", "", Source.SEARCH),
        ("android-app://com.google.android.googlequicksearchbox/", "", Source.SEARCH),
        ("https://t.co/abc123", "", Source.SOCIAL),
        ("https://l.facebook.com/l.php?u=x", "", Source.SOCIAL),
        ("https://www.reddit.com/r/news/", "", Source.SOCIAL),
        ("https://bsky.app/profile/x", "", Source.SOCIAL),
        ("https://mail.google.com/", "", Source.NEWSLETTER),
        ("android-app://com.google.android.gm/", "", Source.NEWSLETTER),
        ("https://outlook.live.com/mail/0/", "", Source.NEWSLETTER),
        ("https://someblog.example.org/post", "", Source.OTHER),
        ("not a url", "", Source.OTHER),
        # Our newsletter links say so themselves, whatever the mail program sends.
        ("", "https://news.example.com/en-us/world/x/?utm_medium=email", Source.NEWSLETTER),
        (None, "https://news.example.com/a/?utm_source=weekly-newsletter", Source.NEWSLETTER),
        ("https://www.google.com/", "https://news.example.com/a/?utm_medium=cpc", Source.SEARCH),
        # A host that merely contains a known name is not it.
        ("https://notgoogle.example.com/", "", Source.OTHER),
        ("https://xt.co/", "", Source.OTHER),
    ],
)
def test_referrers_are_grouped(referrer, page_url, source):
    assert rules.referrer_source(referrer=referrer, page_url=page_url, own_hosts=OURS) == source


def test_reader_keys_tell_readers_apart_and_change_every_day():
    day = date(2025, 3, 12)
    key = rules.reader_key(secret="s", day=day, ip="203.0.113.9", user_agent=CHROME)

    assert key == rules.reader_key(secret="s", day=day, ip="203.0.113.9", user_agent=CHROME)
    assert key != rules.reader_key(secret="s", day=day, ip="203.0.113.10", user_agent=CHROME)
    assert key != rules.reader_key(secret="s", day=day, ip="203.0.113.9", user_agent=IPHONE)
    assert key != rules.reader_key(
        secret="s", day=day + timedelta(days=1), ip="203.0.113.9", user_agent=CHROME
    )
    assert key != rules.reader_key(secret="t", day=day, ip="203.0.113.9", user_agent=CHROME)
    # Nothing of the address or the browser is in it.
    assert "203" not in key and len(key) == 24


def test_yesterdays_key_is_given_only_while_a_window_from_before_midnight_can_be_open():
    window = timedelta(minutes=30)
    early = datetime(2025, 3, 12, 0, 10, tzinfo=UTC)
    later = datetime(2025, 3, 12, 0, 30, tzinfo=UTC)
    ua = CHROME

    today, yesterday = rules.reader_keys(
        secret="s", now=early, window=window, ip="1.2.3.4", user_agent=ua
    )
    assert yesterday == rules.reader_key(
        secret="s", day=date(2025, 3, 11), ip="1.2.3.4", user_agent=ua
    )
    assert today == rules.reader_key(secret="s", day=date(2025, 3, 12), ip="1.2.3.4", user_agent=ua)
    assert (
        rules.reader_keys(secret="s", now=later, window=window, ip="1.2.3.4", user_agent=ua)[1]
        == ""
    )


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_an_hours_bucket_holds_its_moment(moment):
    start = hour_start(hour_index(moment))
    assert start <= moment < start + timedelta(hours=1)
    assert list(window_hours(now=moment, hours=24))[-1] == hour_index(moment)
    assert len(window_hours(now=moment, hours=24)) == 24


@given(st.integers(min_value=0, max_value=10**9))
def test_chart_scales_cover_the_peak_in_whole_steps(peak):
    top, step = charts.nice_scale(peak)
    assert top >= peak
    assert step >= 1 and top % step == 0
    assert top // step <= 10
    assert str(step).strip("0") in {"1", "2", "5"}


def test_a_chart_has_a_bar_per_point_scaled_to_its_axis():
    chart = charts.bar_chart([("a", "A", 0), ("b", "", 5), ("c", "C", 10)], width=330, height=140)

    assert [bar.value for bar in chart.bars] == [0, 5, 10]
    assert chart.bars[0].height == 0
    assert chart.bars[2].height == pytest.approx(2 * chart.bars[1].height)
    assert chart.bars[2].y == pytest.approx(chart.top)
    assert [tick.label for tick in chart.x_ticks] == ["A", "C"]
    assert chart.y_ticks[0].label == "0" and chart.y_ticks[-1].label == "10"
    assert chart.total == 15
