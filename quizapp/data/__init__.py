"""Data in and out: rounds as JSON documents."""
