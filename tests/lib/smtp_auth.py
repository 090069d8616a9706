#!/usr/bin/env python3
"""smtp_auth.py — an SMTP server that requires STARTTLS and AUTH (aiosmtpd's
Controller; its command line cannot require AUTH), for the email tests.

    python3 tests/lib/smtp_auth.py PORTFILE MAILS CERT KEY USER PASSWORD

Listens on 127.0.0.1 (a free port, written to PORTFILE). Every command but
EHLO/STARTTLS/QUIT needs TLS first; MAIL needs AUTH (PLAIN or LOGIN) as USER
with PASSWORD. Each accepted mail is appended to MAILS with a "X-Auth-User:"
line first. Failed logins are written to stderr as "auth failed for USER"
(never the password).
"""
import os
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

PORTFILE, MAILS, CERT, KEY, USER, PASSWORD = sys.argv[1:7]


class Handler:
    async def handle_DATA(self, server, session, envelope):
        with open(MAILS, "a") as f:
            f.write("X-Auth-User: %s\n" % (session.auth_data if session.authenticated else "-"))
            f.write(envelope.content.decode("utf-8", "replace").replace("\r\n", "\n"))
            f.write("\n.\n")
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER \
            and auth_data.password.decode() == PASSWORD:
        return AuthResult(success=True, auth_data=USER)
    login = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else "?"
    print("auth failed for %s" % login, file=sys.stderr, flush=True)
    return AuthResult(success=False, handled=False)


s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(CERT, KEY)
ctl = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=ctx,
                 require_starttls=True, auth_required=True, auth_require_tls=True,
                 authenticator=authenticator)
ctl.start()
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(port))
os.rename(PORTFILE + ".tmp", PORTFILE)
try:
    while True:
        time.sleep(3600)
finally:
    ctl.stop()
