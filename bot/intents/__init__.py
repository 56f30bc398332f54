"""Intent recognition: an interface, with Rasa over HTTP and flow keywords as implementations."""
