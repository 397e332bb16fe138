"""Pure rules of the proposal domain: identities, kinds, workflow. No Qt, no SQLAlchemy, no HTTP."""
