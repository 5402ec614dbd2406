"""Data parallelism over local devices and hosts."""
