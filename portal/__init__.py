"""The vendor portal, /portal/: views and forms composing the domains."""
