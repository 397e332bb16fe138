"""The proposal editor: household, members, kind-specific data, attachments, history and steps."""
