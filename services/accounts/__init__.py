"""Accounts, roles and departments. Users live per schema: a town's staff and citizens in the
town's schema, DGA admins in the public one."""
