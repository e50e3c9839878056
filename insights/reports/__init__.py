"""The physician report, its share links and the CSV and FHIR exports (the ``reports`` app).

The renderer (``content``, ``pdf`` and the modules they use) imports no Django, so it can be
tested, benchmarked and run in a worker from plain data; ``build`` fills its view model from
the database, and the services, tasks and views around it are an ordinary Django app.
"""
