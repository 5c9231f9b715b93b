"""Channels: official pages, bots and mailboxes that feed the ledger and get its answers back.

A *source* is one page, bot or mailbox (``channels.source``); the directory keeps them with
their secrets sealed (``channels.directory``). Webhooks parse each platform's payload
(``channels.vk``, ``channels.telegram``, ``channels.maxbot``, ``channels.ok``,
``channels.mail``) into one ``Inbound`` message
that ``channels.intake`` records as an appeal. Public answers go back through an outbox
that a delivery worker drains (``channels.outbox``, ``channels.delivery``).

This package uses the ledger, never ``api``: the composition root hands it the SQL runner,
the ledger and the settings it needs.
"""
