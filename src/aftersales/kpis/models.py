"""Indicator targets, archived monthly reports (issue 7)."""
