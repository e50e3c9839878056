"""The physician report: a plain view model (``content``) and its PDF renderer (``pdf``).

Nothing in this package imports Django, so the renderer can be tested, benchmarked and
run in a worker from plain data.
"""
