"""Shared foundations: money, dates, Vietnamese text, identifiers, base models, audit log.

The modules ``text``, ``identifiers``, ``money`` and ``periods`` are pure Python (no Django)
so that any layer can use them.
"""
