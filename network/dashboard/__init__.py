"""The member dashboard: what changed in a person's organisations and working groups."""
