"""The coordinator's files: communes, resources, host requests, locked sessions and places, in the
French spreadsheet shapes people have (CSV or Excel); every refusal names the file, line and column.

Every import reads its file with the one tolerant reader, :func:`read_sheet`: describe the columns
(:class:`Column`: key, French names, required or not), then read typed values from each
:class:`Row` (``row.insee``, ``row.date``, ``row.time``, ``row.number``, ``row.integer``,
``row.boolean``, ``row.weekdays``), whose errors are located on the row and the column as written
in the file. A new import (current tours, activity files…) adds its columns, not a parser.
"""

from planner.inputs.cog import commune_code, is_commune
from planner.inputs.sheet import Column, Row, Sheet, read_sheet

__all__ = ["Column", "Row", "Sheet", "commune_code", "is_commune", "read_sheet"]
