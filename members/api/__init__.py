"""REST API for organisations, memberships, invitations, working groups and the signed-in person."""
