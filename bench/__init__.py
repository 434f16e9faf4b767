"""The benchmark harness behind ``make bench``: Connect call counts, quota utilisation, cold start."""
