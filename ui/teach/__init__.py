"""Guided lessons at /teach: lesson files (lessons/), their runs, the merit-order and metric charts, the page."""
