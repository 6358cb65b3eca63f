import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from kabinet.public.models import DisclosureDocument
from kabinet.public.selectors import disclosure_sections

from .factories import DisclosureDocumentFactory

Section = DisclosureDocument.Section


@pytest.mark.django_db
def test_disclosure_page_groups_documents_by_section_in_the_standard_order(client):
    DisclosureDocumentFactory(section=Section.ANNUAL_REPORT, title="Отчёт за 2024 год")
    DisclosureDocumentFactory(section=Section.GENERAL, title="Реквизиты компании")
    DisclosureDocumentFactory(section=Section.ANNUAL_REPORT, title="Отчёт за 2023 год")

    response = client.get(reverse("public:disclosure"))
    text = response.text

    assert response.status_code == 200
    assert [s.code for s in response.context["sections"]] == ["general", "annual_report"]
    general = text.index('id="general-title"')
    annual = text.index('id="annual_report-title"')
    assert general < text.index("Реквизиты компании") < annual < text.index("Отчёт за 2024 год")
    assert annual < text.index("Отчёт за 2023 год")


@pytest.mark.django_db
def test_sections_without_documents_are_left_out():
    DisclosureDocumentFactory(section=Section.MEETINGS)

    assert [s.title for s in disclosure_sections()] == ["Общие собрания собственников"]


@pytest.mark.django_db
def test_unpublished_documents_are_not_shown(client):
    DisclosureDocumentFactory(title="Черновик документа", is_published=False)

    response = client.get(reverse("public:disclosure"))

    assert "Черновик документа" not in response.text
    assert "Документы пока не размещены." in response.text


@pytest.mark.django_db
def test_document_with_a_file_has_a_download_link(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = DisclosureDocumentFactory(building="ул. Садовая, д. 12")
    document.file.save("report.pdf", ContentFile(b"%PDF-1.4"), save=True)
    DisclosureDocumentFactory(title="Без файла")

    response = client.get(reverse("public:disclosure"))

    assert f'href="{document.file.url}" download>Скачать (PDF)' in response.text
    assert response.text.count("download>Скачать") == 1
    assert "ул. Садовая, д. 12" in response.text
