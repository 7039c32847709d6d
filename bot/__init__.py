"""mentor-bot: on-demand flash and micro mentoring for Slack workspaces."""

__version__ = "0.1.0"
