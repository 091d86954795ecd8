"""The data model, one module per aggregate."""

from petition.models.campaign import Campaign, CampaignStatus, CampaignText
from petition.models.outbox import OutboxMessage, OutboxStatus
from petition.models.privacy import ClientHashKey
from petition.models.signature import Display, Signature, SignatureStatus
from petition.models.token import LinkToken, TokenPurpose

__all__ = [
    "Campaign",
    "CampaignStatus",
    "CampaignText",
    "ClientHashKey",
    "Display",
    "LinkToken",
    "OutboxMessage",
    "OutboxStatus",
    "Signature",
    "SignatureStatus",
    "TokenPurpose",
]
