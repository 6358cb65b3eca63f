"""The shapes of the API's requests and answers: what the OpenAPI description shows app authors.

Input is checked by the web forms (views/base.py `checked`), so that an app and the cabinet
accept and refuse the same; these serializers describe it and shape the answers.
"""

from rest_framework import serializers as s

from kabinet.meters.models import Reading, Resource
from kabinet.residents.models import ReminderChannel

MONEY = {"max_digits": 14, "decimal_places": 2}


class ErrorItem(s.Serializer):
    code = s.CharField()
    message = s.CharField()


class Error(s.Serializer):
    code = s.CharField(help_text="Машинный код ошибки: стабилен, на английском.")
    message = s.CharField(help_text="Сообщение для человека, на русском.")
    fields = s.DictField(child=ErrorItem(many=True), help_text="Ошибки по полям запроса.")


# --- Sign-in ---------------------------------------------------------------------------------


class PasswordSignIn(s.Serializer):
    login = s.CharField(max_length=40, help_text="Номер лицевого счёта или телефон кабинета.")
    password = s.CharField(max_length=128, trim_whitespace=False)
    device_name = s.CharField(max_length=100, help_text="Название устройства, как его покажет профиль.")


class CodeRequest(s.Serializer):
    login = s.CharField(max_length=40, help_text="Номер лицевого счёта или телефон кабинета.")


class CodeSignIn(s.Serializer):
    login = s.CharField(max_length=40)
    code = s.CharField(max_length=20, help_text="6 цифр из SMS.")
    device_name = s.CharField(max_length=100)


class Token(s.Serializer):
    id = s.IntegerField()
    device_name = s.CharField(source="name")
    prefix = s.CharField(help_text="Начало ключа: по нему различают устройства с одним названием.")
    how = s.ChoiceField(choices=[("password", "по паролю"), ("sms", "по коду из SMS")])
    created_at = s.DateTimeField()
    last_used_at = s.DateTimeField(allow_null=True)


class IssuedToken(Token):
    token = s.CharField(help_text="Ключ: показывается один раз, храните его в защищённом хранилище.")


class Detail(s.Serializer):
    message = s.CharField()


# --- Window, meters, readings ----------------------------------------------------------------


class Window(s.Serializer):
    opens = s.DateField(help_text="Первый день приёма показаний.")
    closes = s.DateField(help_text="Последний день приёма (включительно).")
    is_open = s.BooleanField(help_text="Принимаются ли показания сегодня.")
    period = s.DateField(help_text="Месяц, за который пойдут показания (первое число).")
    text = s.CharField()


class ReadingOut(s.Serializer):
    period = s.DateField()
    values = s.ListField(
        child=s.DecimalField(max_digits=13, decimal_places=3), help_text="По тарифам: Т1, Т2, Т3."
    )
    shown = s.CharField(help_text="Как показание видит житель: «377,938» или «Т1: 20360; Т2: 8002».")
    consumption = s.DecimalField(max_digits=13, decimal_places=3, allow_null=True)
    channel = s.ChoiceField(choices=Reading.Source.choices, source="source")
    channel_name = s.CharField(source="get_source_display")
    submitted_at = s.DateTimeField()


class Meter(s.Serializer):
    id = s.IntegerField()
    account = s.CharField(source="account.number")
    resource = s.ChoiceField(choices=Resource.choices, source="service")
    name = s.CharField(source="name_for_resident")
    serial_number = s.CharField()
    place = s.CharField()
    unit = s.CharField()
    tariffs = s.IntegerField()
    tariff_names = s.ListField(child=s.CharField())
    digits_before = s.IntegerField()
    digits_after = s.IntegerField()
    next_check_date = s.DateField(allow_null=True)
    overdue = s.BooleanField(help_text="Срок поверки истёк: показания не принимаются.")
    window = Window()
    last_reading = ReadingOut(allow_null=True)


class ReadingEntry(s.Serializer):
    meter_id = s.IntegerField()
    values = s.ListField(
        child=s.CharField(max_length=20),
        min_length=1,
        max_length=3,
        help_text="Показание по каждому тарифу, строкой: «123,456» или «123.456».",
    )
    confirmed = s.BooleanField(
        default=False,
        help_text="Житель подтвердил необычно большой расход (после отказа needs_confirmation).",
    )


class ReadingsRequest(s.Serializer):
    readings = ReadingEntry(many=True, min_length=1, max_length=50)


class ReadingResult(s.Serializer):
    meter_id = s.IntegerField()
    accepted = s.BooleanField()
    value = s.ListField(
        child=s.DecimalField(max_digits=13, decimal_places=3),
        allow_null=True,
        help_text="Сохранённое показание по тарифам (если принято).",
    )
    shown = s.CharField(allow_blank=True)
    period = s.DateField(allow_null=True)
    code = s.CharField(allow_blank=True, help_text="Код отказа: window_closed, lower_than_previous, …")
    message = s.CharField(allow_blank=True, help_text="Причина отказа по-русски.")
    field = s.CharField(allow_null=True)
    window = Window(allow_null=True)


class ReadingsAnswer(s.Serializer):
    accepted = s.IntegerField()
    refused = s.IntegerField()
    results = ReadingResult(many=True)


class MeterHistory(s.Serializer):
    meter = Meter()
    readings = ReadingOut(many=True)


# --- Money -----------------------------------------------------------------------------------


class LastPayment(s.Serializer):
    amount = s.DecimalField(**MONEY)
    paid_on = s.DateField()


class LastReading(s.Serializer):
    meter_id = s.IntegerField()
    name = s.CharField()
    unit = s.CharField()
    reading = ReadingOut(allow_null=True)


class AccountCard(s.Serializer):
    number = s.CharField()
    address = s.CharField()
    balance = s.DecimalField(**MONEY, help_text="Больше нуля — долг, меньше нуля — переплата.")
    debt = s.DecimalField(**MONEY)
    overpayment = s.DecimalField(**MONEY)
    amount_due = s.DecimalField(**MONEY, help_text="Сколько оплатить.")
    due_date = s.DateField(allow_null=True, help_text="Оплатить до.")
    last_payment = LastPayment(allow_null=True)
    readings_window = Window()
    last_readings = LastReading(many=True)
    unread_answers = s.IntegerField(help_text="Обращения с непрочитанным ответом.")


class NewsBrief(s.Serializer):
    id = s.IntegerField()
    title = s.CharField()
    summary = s.CharField(allow_blank=True)
    published_at = s.DateTimeField()


class News(NewsBrief):
    body = s.CharField()


class Dashboard(s.Serializer):
    full_name = s.CharField()
    accounts = AccountCard(many=True)
    unread_news = s.IntegerField()
    latest_news = NewsBrief(many=True)


class Month(s.Serializer):
    period = s.DateField()
    opening_balance = s.DecimalField(**MONEY)
    accrued = s.DecimalField(**MONEY)
    paid = s.DecimalField(**MONEY)
    closing_balance = s.DecimalField(**MONEY)
    due_date = s.DateField(allow_null=True)


class ChargeLine(s.Serializer):
    service = s.CharField(source="service_name")
    unit = s.CharField(source="unit_shown", allow_blank=True)
    tariff = s.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    volume = s.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    volume_source = s.CharField(allow_blank=True)
    accrued = s.DecimalField(**MONEY)
    recalculation = s.DecimalField(**MONEY)
    recalculation_reason = s.CharField(allow_blank=True)
    benefit = s.DecimalField(**MONEY)
    to_pay = s.DecimalField(**MONEY)
    how_calculated = s.ListField(child=s.CharField(), source="explanation", help_text="«Как посчитано?»")


class Totals(s.Serializer):
    accrued = s.DecimalField(**MONEY)
    recalculation = s.DecimalField(**MONEY)
    benefit = s.DecimalField(**MONEY)
    to_pay = s.DecimalField(**MONEY)


class Charges(s.Serializer):
    account = s.CharField()
    period = s.DateField()
    lines = ChargeLine(many=True)
    totals = Totals()
    balance = Month(allow_null=True)
    amount_due = s.DecimalField(**MONEY)


class Receipt(s.Serializer):
    period = s.DateField()
    to_pay = s.DecimalField(**MONEY)
    pdf_url = s.CharField()


class PaymentOut(s.Serializer):
    amount = s.DecimalField(**MONEY)
    paid_on = s.DateField()
    source = s.CharField()
    source_name = s.CharField(source="get_source_display")


class OnlinePayment(s.Serializer):
    id = s.UUIDField(source="idempotence_key")
    amount = s.DecimalField(**MONEY)
    status = s.CharField()
    status_name = s.CharField(source="get_status_display")
    confirmation_url = s.CharField(allow_blank=True, help_text="Откройте в браузере, чтобы оплатить.")
    created_at = s.DateTimeField()


class Payments(s.Serializer):
    payments = PaymentOut(many=True)
    unfinished = OnlinePayment(many=True)


class StartPayment(s.Serializer):
    amount = s.CharField(max_length=20, help_text="Сумма в рублях: «1500» или «1500,50».")


# --- Appeals ---------------------------------------------------------------------------------


class Category(s.Serializer):
    id = s.IntegerField()
    name = s.CharField()


class Attachment(s.Serializer):
    id = s.IntegerField()
    name = s.CharField(source="original_name")
    content_type = s.CharField()
    size = s.IntegerField()
    url = s.CharField()


class AppealBrief(s.Serializer):
    id = s.IntegerField()
    account = s.CharField(source="account.number")
    category = s.CharField(source="category.name")
    text = s.CharField()
    status = s.CharField()
    status_name = s.CharField(source="get_status_display")
    created_at = s.DateTimeField()
    answered_at = s.DateTimeField(allow_null=True)
    unread_answer = s.BooleanField()


class Message(s.Serializer):
    by_resident = s.BooleanField()
    text = s.CharField(allow_blank=True)
    status = s.CharField(allow_blank=True)
    created_at = s.DateTimeField()
    attachments = Attachment(many=True)


class Appeal(AppealBrief):
    attachments = Attachment(many=True)
    messages = Message(many=True)
    can_write = s.BooleanField()
    can_reopen = s.BooleanField()


class AppealCreate(s.Serializer):
    account = s.CharField(max_length=30)
    category = s.IntegerField()
    text = s.CharField(max_length=5000)
    files = s.ListField(child=s.FileField(), required=False, max_length=5)


class AppealMessage(s.Serializer):
    text = s.CharField(max_length=5000, required=False, allow_blank=True)
    files = s.ListField(child=s.FileField(), required=False, max_length=5)


# --- Profile ---------------------------------------------------------------------------------


class Choice(s.Serializer):
    value = s.CharField()
    name = s.CharField()


class Profile(s.Serializer):
    full_name = s.CharField()
    phone = s.CharField(help_text="Телефон, скрытый наполовину.")
    email = s.CharField(allow_blank=True)
    accounts = s.ListField(child=s.CharField())
    reminder_channel = s.ChoiceField(choices=ReminderChannel.choices)
    reminder_channels = Choice(many=True)


class Notifications(s.Serializer):
    reminder_channel = s.ChoiceField(choices=ReminderChannel.choices)
