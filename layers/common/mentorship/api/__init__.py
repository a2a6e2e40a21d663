"""The HTTP edge both API functions share: schemas, caller identity, time zone, cursors, error map.

Only the HTTP functions import this package; the reminders function never loads it.
"""
