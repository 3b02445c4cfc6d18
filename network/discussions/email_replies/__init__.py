"""Reply by email: notification mails about a thread carry the member's signed reply address, and a reply
sent to it is posted in the thread as the member, through the reply service and every rule of the page.

- ``models``: ReplyAddress (per member and thread: revocable, expiring) and ReplyByEmailStop.
- ``addresses``: giving, reading and stopping reply addresses.
- ``extract``: the new text of a reply (quotes and signatures stripped); pure.
- ``receiving``: the one function both ways in use; it posts, holds for review or answers why not.
- ``listener``: the SMTP server of ``flask mail listen`` (``network.discussions.cli`` has the commands).
"""
