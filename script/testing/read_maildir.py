#!/usr/bin/env python3
"""Prints the messages of a maildir as JSON, parsed by Python's standard MIME parser (email, policy=default).

Used by the tests to check what a real SMTP server received: structure, decoded headers and bodies.
Messages are listed in delivery order (maildir names start with the delivery time).
"""
import csv
import email
import email.policy
import io
import json
import re
import mailbox
import sys


def structure(part):
    if part.is_multipart():
        return {"type": part.get_content_type(), "parts": [structure(p) for p in part.iter_parts()]}
    return {"type": part.get_content_type(), "disposition": part.get_content_disposition(), "filename": part.get_filename()}


def delivery_time(key):
    """Maildir names are SECONDS.M<microseconds>P<pid>Q<n>.host; the microseconds are not zero-padded,
    so sort on the numbers, not the text."""
    match = re.match(r"(\d+)\.M(\d+)P\d+Q(\d+)", key)
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else (0, 0, 0)


def main(path):
    box = mailbox.Maildir(path, factory=None, create=False)
    out = []
    for key in sorted(box.keys(), key=delivery_time):
        raw = box.get_bytes(key)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        attachments = []
        for a in msg.iter_attachments():
            content = a.get_content()
            entry = {"filename": a.get_filename(), "type": a.get_content_type(), "content": content}
            if a.get_content_type() == "text/csv":
                entry["rows"] = list(csv.reader(io.StringIO(content.lstrip("\ufeff"), newline="")))
            attachments.append(entry)
        out.append({
            "subject": str(msg["subject"]),
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "date": str(msg["date"]),
            "messageId": str(msg["message-id"]),
            "headerNames": [name.lower() for name in msg.keys()],
            "structure": structure(msg),
            "text": text.get_content() if text else None,
            "html": html.get_content() if html else None,
            "attachments": attachments,
            "defects": [str(d) for part in msg.walk() for d in part.defects],
        })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
