"""Shared foundations: money, dates, Vietnamese text, identifiers, base models, audit log.

The modules ``text``, ``identifiers``, ``money``, ``periods`` and ``spreadsheet`` are pure
Python (no Django) so that any layer, the rules engine included, can use them.
"""
