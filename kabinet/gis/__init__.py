"""ГИС ЖКХ: the Excel templates the state system takes and gives back (SOAP comes later).

One module per template (docs/gis-zhkh.md says what was checked and where):

- payment_documents.py — the payment documents of a month, written into the ПД template;
- readings.py — the meters' readings of a month, into the readings template (13.1.3.1);
- accounts.py — what ГИС returns for the accounts: the ЕЛС and the ИЖКУ of each;
- meters.py — what ГИС returns for the meters: the number it gave each;
- workbook.py — what the four share: a sheet found by name, its header checked, cells written.

The two returned files are billing import kinds («gis-accounts», «gis-meters», registered in
GisConfig.ready): `import_gis`, `import_billing` and the back-office upload all run them. The
exports are `export_gis` and the back-office page «Обмен с ГИС ЖКХ» (admin.py).
"""
