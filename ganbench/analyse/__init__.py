"""Stage 5, analyse: the statistics every verdict rests on, and published results beside ours."""
