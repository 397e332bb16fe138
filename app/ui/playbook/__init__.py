"""The office playbook's widgets: a page read, a page written, and the dialog that shows either."""
