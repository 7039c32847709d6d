"""Pure Block Kit builders (slack_sdk.models), one module per feature: data in, blocks out; no I/O,
no Slack calls. Button values and modal metadata are encoded next to their decoders."""
