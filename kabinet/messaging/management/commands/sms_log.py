from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kabinet.core.normalize import InvalidPhone, phone_e164
from kabinet.messaging.models import OutboxMessage


class Command(BaseCommand):
    help = "Prints SMS from the outbox, newest first: time, phone, status, text."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--phone", help="only messages to this phone, written in any usual way")
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args, phone: str | None = None, limit: int = 20, **options) -> None:
        messages = OutboxMessage.objects.filter(channel=OutboxMessage.Channel.SMS)
        if phone:
            try:
                messages = messages.filter(recipient=phone_e164(phone, mobile_only=False))
            except InvalidPhone:
                raise CommandError(f"Не удалось разобрать номер телефона: {phone}") from None
        for message in messages.order_by("-created_at", "-id")[:limit]:
            when = timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M:%S")
            self.stdout.write(f"{when}  {message.recipient}  {message.get_status_display()}  {message.body}")
