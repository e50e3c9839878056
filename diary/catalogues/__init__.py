"""Versioned reference data the diary and the app's pickers are built on.

Each catalogue is plain Python data with its sources beside it, so the pure analysis
modules can import it without Django. Bump a catalogue's VERSION whenever its entries
change, so the app knows to refresh its cached pickers.
"""
