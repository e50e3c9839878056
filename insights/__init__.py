"""What the diary shows: associations with triggers, doctor-visit flags, summaries and reports."""
