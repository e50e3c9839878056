"""The exports of a user's diary, in one place: the account's JSON document (account_json),
a zip of CSV files (csv_zip) and a FHIR R4B Bundle (fhir).

All three read the same table registry (diary.tables.TABLES) through one row iterator
(rows.live_rows): each table's records that are not deleted, oldest first, with one query
per table through a database cursor, so a year of diary never sits in memory.
"""
