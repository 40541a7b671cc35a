"""Stage 6, analyse: the statistics every verdict rests on, and published results beside ours."""
