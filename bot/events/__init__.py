"""Speed-mentoring events. The planning core is pure and Slack-free: participants.py (the CSV),
scoring.py (matching's scores for every mentee and mentor), planning.py (the rounds; no SQL)
and baselines.py (greedy and random rotation, for the benchmark and tests)."""
