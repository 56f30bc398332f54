"""The learning loop (issue 14): what the assistant did not understand becomes training data,
a new model is trained and measured in the background, and it serves only when no worse."""
