from pathlib import Path

import pytest
from playwright.sync_api import expect

from kabinet.billing.imports.jobs import run_queued_imports
from kabinet.billing.models import Accrual
from kabinet.billing.tests.factories import AccountFactory
from kabinet.testing_browser import shoot, sign_in_to_back_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "samples" / "accruals.xlsx"


def test_the_job_page_follows_the_import_without_javascript(
    chromium, live_server, operator, settings, tmp_path
):
    settings.BILLING_IMPORT_DIR = tmp_path
    AccountFactory(number="1000000001")
    AccountFactory(number="1000000002")
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="ru-RU", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/billing/importjob/add/")
    sign_in_to_back_office(page, operator, "operator-pass-2026")

    page.get_by_label("Что в файле").select_option(label="Начисления")
    page.locator("#id_upload").set_input_files(str(SAMPLE))
    shoot(page, "admin-import-01-upload")
    page.get_by_role("button", name="Загрузить", exact=True).click()
    expect(page.get_by_text("поставлен в очередь на загрузку")).to_be_visible()
    expect(page.get_by_text("в очереди", exact=True)).to_be_visible()
    shoot(page, "admin-import-02-queued")

    assert run_queued_imports() == 1  # what the worker does; the page reloads itself meanwhile

    expect(page.get_by_text("загружено строк 11")).to_be_visible(timeout=15_000)
    shoot(page, "admin-import-03-done")
    assert Accrual.objects.count() == 11
    context.close()
