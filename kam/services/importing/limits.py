"""What an import file may hold: every limit in one place (the README's "Importing data"
lists them). Files beyond a limit are refused with one line naming the file, before
anything is written."""

from __future__ import annotations

#: Largest import file accepted, in bytes.
MAX_FILE_BYTES = 512 * 1024 * 1024
#: Largest XLSX file accepted (compressed), and its largest total size unpacked.
MAX_XLSX_BYTES = 50 * 1024 * 1024
MAX_XLSX_UNPACKED = 500 * 1024 * 1024
#: Most parts (files) an XLSX archive may hold; workbooks hold a few dozen.
MAX_XLSX_PARTS = 10_000
#: Most data rows read from an XLSX sheet.
MAX_XLSX_ROWS = 200_000
#: Longest start of an XML part before its first element (the prolog, where a DTD would be).
MAX_XML_PROLOG = 64 * 1024
#: Most columns a file may have (checked on the header, before the rows are read).
MAX_COLUMNS = 1_000
#: Longest header line read to count the columns (a CSV header longer than this is refused).
MAX_HEADER_BYTES = 1024 * 1024
#: Longest cell of any column, in characters; documented columns have their own, lower
#: widths (`report.COLUMNS`).
MAX_CELL = 10_000
#: How many offending names or cells a refusal lists before "… and N more".
SHOWN = 5
#: Longest name (a header, a sheet, a file) as a message or the audit shows it.
NAME_WIDTH = 60
