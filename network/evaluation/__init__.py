"""The annual program evaluation pack: for one academic year (July to June), the numbers a program
evaluation committee reviews (ACGME Common Program Requirements V.C), as a page, a CSV file and a
workbook. ``years`` holds the academic year, ``queries`` the aggregates, ``pack`` the sections, ``files`` the
exports and ``routes`` the blueprint."""
