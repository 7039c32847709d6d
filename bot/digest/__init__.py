"""The weekly digest for program leads: figures, topics, unmet demand and a chart."""
