"""aiosmtpd handlers for the tests (loaded with: python -m aiosmtpd -c smtp_handlers.RejectingMailbox DIR).

RejectingMailbox stores mail like aiosmtpd's Mailbox, but answers 550 for recipients whose local part starts
with "nobody", as a real server does for a mistyped address.
"""
from aiosmtpd.handlers import Mailbox


class RejectingMailbox(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("nobody"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"
