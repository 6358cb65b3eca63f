from django.forms.renderers import TemplatesSetting


class KabinetFormRenderer(TemplatesSetting):
    """Every form field on every page goes through one template: label, hint, error, input."""

    field_template_name = "core/field.html"
