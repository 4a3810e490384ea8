"""Benchmarks: a backfill of N records through the daemon, against the emulators in another process."""
