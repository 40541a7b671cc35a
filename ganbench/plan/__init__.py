"""Stage 1, plan: a suite file read, validated and expanded into the run matrix before any work."""
