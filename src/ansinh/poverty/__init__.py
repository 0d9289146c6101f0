"""The poverty review: rounds, surveys (forms A/B1/B2), village meetings, public posting,
decisions, certificates and transitions."""
