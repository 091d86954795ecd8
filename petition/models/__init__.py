"""The data model, one module per aggregate."""

from petition.models.audit import AuditEvent
from petition.models.campaign import (
    Campaign,
    CampaignStatus,
    CampaignText,
    CampaignTextVersion,
    Signatory,
)
from petition.models.custodian import CustodianKey
from petition.models.delivery import DeliveryPackage, LetterTemplate, PackageStatus
from petition.models.organisation import (
    Listing,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
)
from petition.models.outbox import OutboxMessage, OutboxStatus
from petition.models.paper import PaperBatch
from petition.models.signature import Display, Signature, SignatureStatus
from petition.models.staff import RecoveryCode, Role, StaffSession, StaffUser
from petition.models.target import NamesPolicy, Target, campaign_target
from petition.models.token import LinkToken, TokenPurpose
from petition.models.update import CampaignUpdate

__all__ = [
    "AuditEvent",
    "Campaign",
    "CampaignStatus",
    "CampaignText",
    "CampaignTextVersion",
    "CampaignUpdate",
    "CustodianKey",
    "DeliveryPackage",
    "Display",
    "LetterTemplate",
    "LinkToken",
    "Listing",
    "NamesPolicy",
    "Organisation",
    "OrganisationKind",
    "OrganisationStatus",
    "OutboxMessage",
    "OutboxStatus",
    "PackageStatus",
    "PaperBatch",
    "RecoveryCode",
    "Role",
    "Signatory",
    "Signature",
    "SignatureStatus",
    "StaffSession",
    "StaffUser",
    "Target",
    "TokenPurpose",
    "campaign_target",
]
