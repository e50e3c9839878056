"""Import from the phone's health store: Apple Health (HealthKit) and Health Connect.

samples.py reads what the app sends into plain ``Sample`` values (pure), apple_export.py
streams Apple Health's export.xml into the same values, derive.py turns samples into diary
records with the counted-once rules (pure), and services.py keeps the ledger and the derived
records. docs/architecture.md, "Health-store import", explains the choices.
"""
