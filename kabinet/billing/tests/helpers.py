from io import StringIO
from pathlib import Path

from django.core.management import call_command

HEADER = "account_number;full_name;address;area;phone;email"


def run_import(path: Path, kind: str = "accounts") -> list[str]:
    """The output of `import_billing`, line by line."""
    out = StringIO()
    call_command("import_billing", kind, str(path), stdout=out)
    return out.getvalue().splitlines()
