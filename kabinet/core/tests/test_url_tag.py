"""`{% url %}` reverses each address once per process, and still gives the right one."""

from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from kabinet.core.templatetags.urls import _reversed


def rendered(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_an_address_is_the_one_django_reverses_and_is_reversed_once():
    _reversed.cache_clear()
    for _ in range(3):
        assert rendered("{% url 'residents:policy' 'privacy' %}") == reverse(
            "residents:policy", args=["privacy"]
        )
    assert _reversed.cache_info().misses == 1


def test_a_site_under_a_path_gets_its_addresses_under_it():
    plain = rendered("{% url 'public:home' %}")
    set_script_prefix("/lk/")
    try:
        assert rendered("{% url 'public:home' %}") == "/lk/"
    finally:
        set_script_prefix("/")
    assert plain == "/"


def test_an_address_of_a_record_one_kept_in_a_variable_and_a_missing_one_work_as_in_django(company):
    assert rendered("{% url 'admin:core_company_change' company.pk %}", company=company) == reverse(
        "admin:core_company_change", args=[company.pk]
    )
    assert rendered("{% url 'public:home' as home %}[{{ home }}]") == "[/]"
    assert rendered("{% url 'no:such' as missing %}[{{ missing }}]") == "[]"
