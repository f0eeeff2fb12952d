"""Labeled data: reading and validating records, near-duplicate detection."""
