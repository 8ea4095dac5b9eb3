"""Pure rules and values: no I/O, no framework. Unit-tested directly."""
