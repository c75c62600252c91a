"""Channels pages."""
