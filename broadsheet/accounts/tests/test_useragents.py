import pytest

from broadsheet.accounts.useragents import browser_and_platform

from .helpers import CHROME_ANDROID, FIREFOX_WINDOWS, SAFARI_IPHONE

CASES = [
    (CHROME_ANDROID, ("Chrome", "Android")),
    (FIREFOX_WINDOWS, ("Firefox", "Windows")),
    (SAFARI_IPHONE, ("Safari", "iPhone")),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/18.1 Safari/605.1.15",
        ("Safari", "macOS"),
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        ("Edge", "Windows"),
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
        ("Samsung Internet", "Android"),
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "CriOS/131.0 Mobile/15E148 Safari/604.1",
        ("Chrome", "iPad"),
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
        ("Opera", "Linux"),
    ),
    (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        ("Chrome", "ChromeOS"),
    ),
    ("BroadsheetApp/2.1 (iPhone; iOS 18.1)", ("Broadsheet app", "iPhone")),
    ("curl/8.5.0", ("curl", "")),
    ("", ("", "")),
    ("something nobody knows", ("", "")),
]


@pytest.mark.parametrize(("user_agent", "expected"), CASES)
def test_browser_and_platform(user_agent, expected):
    assert browser_and_platform(user_agent) == expected


def test_device_names_read_well():
    from broadsheet.accounts.models import Device

    assert Device(browser="Chrome", platform="Android").name == "Chrome on Android"
    assert Device(browser="curl", platform="").name == "curl"
    assert Device(browser="", platform="").name == "Unknown browser"
