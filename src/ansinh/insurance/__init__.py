"""Health-insurance (BHYT) cards, coverage, contribution calculator and renewal reminders."""
