"""Executors decide where runs execute: in this process (``local``) or on a Ray cluster (``ray``)."""
