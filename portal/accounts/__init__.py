"""Identity and access: users, roles and scope, residencies, sign-in, invitations, consent (152-ФЗ), profile."""
