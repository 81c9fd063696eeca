"""The exchange between towns and agencies (public schema): agency directory, delivery queue.

Used by e-Saraban (letters) and by the One Stop Service (referrals): one mechanism, one module.
"""
