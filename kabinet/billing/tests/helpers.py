from io import StringIO
from pathlib import Path

from django.core.management import call_command

HEADER = "account_number;full_name;address;area;phone;email"


def run_import(path: Path, kind: str = "accounts", *, skip_bad: bool = True) -> list[str]:
    """The output of `import_billing`, line by line; bad rows skipped unless told otherwise (these
    tests read the row report; without --skip-bad a bad row stops the file, see test_import_errors)."""
    out = StringIO()
    call_command("import_billing", kind, str(path), *(["--skip-bad"] if skip_bad else []), stdout=out)
    return out.getvalue().splitlines()
