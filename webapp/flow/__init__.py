"""The flow engine: pure functions over a gemeente configuration and the answers so far."""
