from django import forms
from django.conf import settings

from .files import CheckedFile, FileRefused, check_file
from .models import AppealCategory


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to APPEALS_MAX_FILES files, each checked by its content."""

    widget = MultipleFileInput
    kept = "Текст обращения сохранён"  # what the page keeps while the files are chosen again

    def clean(self, data, initial=None) -> list[CheckedFile]:
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(uploads) > settings.APPEALS_MAX_FILES:
            raise forms.ValidationError(
                f"Можно приложить не больше {settings.APPEALS_MAX_FILES} файлов, вы выбрали {len(uploads)}. "
                "Выберите файлы заново."
            )
        max_bytes = settings.APPEALS_MAX_FILE_MB * 1024 * 1024
        checked, problems = [], []
        for upload in uploads:
            try:
                checked.append(check_file(upload, max_bytes=max_bytes))
            except FileRefused as refused:
                problems.append(str(refused))
        if problems:
            # One message beside the field. The browser cannot keep chosen files across a
            # reload: say so plainly, the text stays.
            problems.append(f"{self.kept} — выберите подходящие файлы заново.")
            raise forms.ValidationError(" ".join(problems))
        return checked


def attachments_field() -> AttachmentsField:
    return AttachmentsField(label="Фотографии или документы", required=False)


def _describe_files(form: forms.Form) -> None:
    form.fields["files"].help_text = (
        f"Необязательно. До {settings.APPEALS_MAX_FILES} файлов: фотографии (JPG, PNG) или PDF, "
        f"каждый не больше {settings.APPEALS_MAX_FILE_MB} МБ."
    )
    form.fields["files"].widget.attrs["accept"] = "image/jpeg,image/png,image/gif,image/webp,application/pdf"


class AppealForm(forms.Form):
    category = forms.ModelChoiceField(
        label="Тема обращения",
        queryset=AppealCategory.objects.filter(is_active=True),
        empty_label="— выберите тему —",
        error_messages={
            "required": "Выберите тему обращения.",
            "invalid_choice": "Такой темы нет в списке: выберите тему из списка.",
        },
    )
    text = forms.CharField(
        label="Текст обращения",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Опишите, что случилось и где: подъезд, этаж, квартира. Если важно — когда удобно прийти.",
        error_messages={
            "required": "Напишите текст обращения.",
            "max_length": "Текст слишком длинный: не больше %(limit_value)d знаков (сейчас %(show_value)d).",
        },
    )
    files = attachments_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _describe_files(self)

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Напишите текст обращения.")
        return text


class MessageForm(forms.Form):
    """The resident writes to the company on their appeal: an answer, photos added later, or —
    on a closed appeal — why it must be reopened (the service asks for the text then)."""

    text = forms.CharField(
        label="Сообщение",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "max_length": "Текст слишком длинный: не больше %(limit_value)d знаков (сейчас %(show_value)d).",
        },
    )
    files = attachments_field()

    def __init__(self, *args, reopening: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _describe_files(self)
        self.fields["files"].kept = "Текст сообщения сохранён"
        if reopening:
            self.fields["text"].label = "Что осталось не так"
            self.fields["text"].help_text = "Обращение вернётся в работу, ответ придёт заново."
        else:
            self.fields["text"].help_text = "Можно только приложить фотографию, без текста."
