"""Reach and results: attributed links, completion notices, QR handouts, figures per unit."""
