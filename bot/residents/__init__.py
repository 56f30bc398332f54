"""Residents' data rights: see what is stored, erase it, and erase old message texts."""
