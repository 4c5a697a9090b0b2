"""E-mail: rendering (Jinja2) apart from sending (aiosmtplib)."""
