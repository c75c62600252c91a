"""The game's rules as plain functions over plain values: no Flask, no database, no request."""
