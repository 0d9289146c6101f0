"""Outreach to residents (issue 14, item 6): printable leaflets, loudspeaker announcements per
village with their broadcast log, and a message to a chosen group of households through the
outbox."""
