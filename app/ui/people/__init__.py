"""The Lurah's authority in the desktop: enrol and revoke people, TOTP, and a newcomer's start page."""
