"""Domain rules of the Wet BRP that do not depend on a gemeente's configuration."""
