"""Rasa-side code and data for digiguide's NLU (runs in .venv-nlu, Python 3.10)."""
