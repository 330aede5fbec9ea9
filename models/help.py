"""The help centre: articles and FAQ, news items, webinars and who registered for them.

Seed: "Accès aux ressources exclusives et à l'assistance personnalisée".
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account, Agency, Client


class HelpArticleKind(StrEnum):
    ARTICLE = "ARTICLE"
    FAQ = "FAQ"  # a question as title, its answer as body


class HelpCategory(StrEnum):
    GETTING_STARTED = "GETTING_STARTED"
    VISITS = "VISITS"
    BILLING = "BILLING"
    TAX_CREDIT = "TAX_CREDIT"
    ACCOUNT = "ACCOUNT"
    HOUSEKEEPING_TIPS = "HOUSEKEEPING_TIPS"
    CONTACT = "CONTACT"
    FURNITURE_CARE = "FURNITURE_CARE"  # furniture and floors, by material
    ECO_PRODUCTS = "ECO_PRODUCTS"  # eco-labelled products
    DAMAGE = "DAMAGE"  # damage during a visit: the claim flow


class NewsKind(StrEnum):
    SERVICE_CHANGE = "SERVICE_CHANGE"
    OFFER = "OFFER"
    AGENCY_OPENING = "AGENCY_OPENING"
    OTHER = "OTHER"


class HelpArticle(Model):
    """An article or FAQ entry in Markdown. No agency means shared by every agency.

    Shared articles come with Passage (seed-demo) and are read-only through the API.
    An agency article with the slug of a shared one takes its place for that agency.
    A null published_at is a draft, seen by the agency staff only.
    """

    id = fields.IntField(primary_key=True)
    agency: fields.ForeignKeyNullableRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="help_articles", null=True, on_delete=fields.CASCADE
    )
    agency_id: int | None
    slug = fields.CharField(max_length=80)
    kind = fields.CharEnumField(HelpArticleKind, max_length=10)
    category = fields.CharEnumField(HelpCategory, max_length=20)
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    # Words a reader may type that the text does not hold (synonyms, materials…).
    search_terms = fields.CharField(max_length=500, default="")
    # Accent- and case-free words of the title, and of title, terms and body, space padded.
    title_search = fields.CharField(max_length=400)
    search_text = fields.TextField()
    published_at = fields.DatetimeField(null=True)
    created_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="help_articles", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "help_article"
        unique_together = (("agency", "slug"),)
        indexes = (("agency_id", "category"),)


class NewsItem(Model):
    """Service changes, offers, agency openings. Shown from published_at until expires_at."""

    id = fields.IntField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="news_items", on_delete=fields.CASCADE
    )
    agency_id: int
    kind = fields.CharEnumField(NewsKind, max_length=20)
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    published_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "news_item"
        indexes = (("agency_id", "published_at"),)


class Webinar(Model):
    """An online session of an agency that its clients register for, up to capacity."""

    id = fields.IntField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="webinars", on_delete=fields.CASCADE
    )
    agency_id: int
    title = fields.CharField(max_length=200)
    description = fields.TextField()
    starts_at = fields.DatetimeField()
    duration_minutes = fields.SmallIntField()
    ends_at = fields.DatetimeField()
    link = fields.CharField(max_length=500)
    capacity = fields.IntField()
    published_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "webinar"
        indexes = (("agency_id", "starts_at"),)


class WebinarRegistration(Model):
    """A client's seat at a webinar. Cancelling deletes the row and frees the seat."""

    id = fields.IntField(primary_key=True)
    webinar: fields.ForeignKeyRelation[Webinar] = fields.ForeignKeyField(
        "models.Webinar", related_name="registrations", on_delete=fields.CASCADE
    )
    webinar_id: int
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="webinar_registrations", on_delete=fields.CASCADE
    )
    client_id: int
    created_at = fields.DatetimeField()

    class Meta:
        table = "webinar_registration"
        unique_together = (("webinar", "client"),)
