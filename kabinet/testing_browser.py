"""Browser tests: Debian's Chromium driven by Playwright, screenshots and an axe-core check.

Never a downloaded browser: the tests use /usr/bin/chromium, which `make test` installs.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.getenv("KABINET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
AXE = Path(__file__).resolve().parent / "core" / "tests" / "vendor" / "axe.min.js"


def launch(playwright):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)


def shoot(page, name: str) -> Path:
    """A full-page screenshot to look at: screenshots/<width>-<name>.png (ignored by git)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{page.viewport_size['width']}-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def accessibility_violations(page) -> list[str]:
    """What axe-core (WCAG 2.1 A and AA rules) finds wrong on the page, one line per problem."""
    # Evaluated through DevTools, not added as a <script>: the site's Content-Security-Policy
    # rightly refuses inline scripts, and the check must see the page as residents get it.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;window.axe = axe; true")
    rules = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}"
    result = page.evaluate(f"() => axe.run(document, {rules})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def sign_in_to_back_office(page, user, password: str) -> None:
    """On the back-office log-in page: the password, then the code from the authenticator app."""
    from kabinet.testing import totp_device, totp_now

    device = totp_device(user)
    page.get_by_label("Имя пользователя").fill(user.get_username())
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.get_by_label("Код").fill(totp_now(device))
    page.get_by_role("button", name="Подтвердить").click()


def go_to_cabinet_section(page, title: str) -> None:
    """Clicks a section of the cabinet's menu, unfolding it first on a phone (details.fold)."""
    menu = page.locator("details.cabinet-menu")
    link = page.get_by_role("navigation", name="Разделы личного кабинета").get_by_role("link", name=title)
    if not link.is_visible():
        menu.locator("summary").click()
    link.click()


def go_to_site_section(page, title: str) -> None:
    """Clicks a link of the site's menu, unfolding it first on a phone."""
    link = page.get_by_role("navigation", name="Главное меню").get_by_role("link", name=title)
    if not link.is_visible():
        page.locator("details.site-menu summary").click()
    link.click()
