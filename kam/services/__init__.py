"""Services: every read and change of kam data, with the roles and the audit enforced here."""
