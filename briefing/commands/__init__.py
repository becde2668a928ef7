"""The commands a user runs: the build pipeline with its safe delivery, several builds at once,
``watch``, ``serve`` and the command line. Nothing below this package imports it."""
