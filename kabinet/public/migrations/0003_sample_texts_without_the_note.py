"""The starting texts of the fixed pages lose their note to staff («Текст этой страницы — образец…»):
residents read those pages. A page still carrying its starting text is marked a sample instead,
and only staff are reminded to replace it. Pages the company has rewritten are left alone.
"""

from django.db import migrations, models

EDIT_NOTE = (
    "Текст этой страницы — образец. Сотрудники управляющей компании меняют его "
    "в панели управления: «Сайт» → «Страницы»."
)
# The starting «Контакты» spoke to staff, not to residents; the page shows the company's details.
CONTACTS_START = (
    "Адрес офиса, телефоны, электронная почта и часы приёма жителей берутся из сведений "
    "об управляющей компании. Их, как и этот текст, сотрудники компании меняют в панели "
    "управления.\n\n"
    "Здесь же стоит указать телефон аварийно-диспетчерской службы и часы её работы.\n\n"
    "Письменное обращение можно отправить из личного кабинета."
)
CONTACTS_SAMPLE = "Письменное обращение можно отправить из личного кабинета, раздел «Обращения»."


def without_the_note(apps, schema_editor):
    Page = apps.get_model("public", "Page")
    for page in Page.objects.filter(slug__in=["about", "tariffs", "norms", "contacts", "useful"]):
        if EDIT_NOTE in page.body:
            page.body = page.body.replace(EDIT_NOTE, "").strip()
        elif page.slug == "contacts" and page.body.strip() == CONTACTS_START:
            page.body = CONTACTS_SAMPLE
        else:
            continue
        page.is_sample = True
        page.save(update_fields=["body", "is_sample"])


class Migration(migrations.Migration):
    dependencies = [("public", "0002_fixed_pages")]

    operations = [
        migrations.AddField(
            model_name="page",
            name="is_sample",
            field=models.BooleanField(default=False, verbose_name="текст-образец"),
        ),
        migrations.RunPython(without_the_note, migrations.RunPython.noop),
    ]
