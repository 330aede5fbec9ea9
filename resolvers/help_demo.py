"""Help-centre content for `passage seed-demo`: shared articles and FAQ, and demo agency news.

The shared articles (no agency) are the ones personalised tips point at; any
agency may replace one by writing an article with the same slug. Idempotent:
an article is created when its slug is missing, a news item when its title is,
and a webinar when the demo agency has none to come.
"""

from __future__ import annotations

from datetime import timedelta

from models.help import HelpArticle, HelpArticleKind, HelpCategory, NewsItem, NewsKind, Webinar
from resolvers import tips
from services import search_text
from services.clock import utcnow

A, F = HelpArticleKind.ARTICLE, HelpArticleKind.FAQ
C = HelpCategory

SHARED_ARTICLES: list[tuple[str, HelpArticleKind, HelpCategory, str, str]] = [
    (
        tips.GETTING_STARTED,
        A,
        C.GETTING_STARTED,
        "Bien démarrer avec votre agence",
        """Bienvenue ! Voici l'essentiel pour vos premières semaines.

1. **Votre planning** : retrouvez vos interventions à venir dans l'onglet *Planning*.
2. **Votre intervenant** : il pointe son arrivée et son départ depuis son téléphone ;
   vous êtes prévenu en direct.
3. **Vos factures** : chaque mois, une facture détaillée, avec l'avance immédiate du
   crédit d'impôt si vous l'avez choisie.

Une question ? Votre conseiller vous répond par la messagerie.""",
    ),
    (
        tips.EXTRA_VISIT,
        A,
        C.VISITS,
        "Réserver une intervention supplémentaire",
        """Besoin d'un coup de main en plus (grand ménage, vitres, repassage) ?

- Depuis l'onglet *Planning*, choisissez **Demander une intervention**.
- Indiquez le jour, la durée et la prestation souhaitée.
- L'agence confirme le créneau et l'intervenant.

Les demandes faites 48 heures à l'avance sont les plus faciles à satisfaire.""",
    ),
    (
        tips.CONTACT_ADVISOR,
        A,
        C.CONTACT,
        "Contacter votre conseiller",
        """Votre conseiller est votre interlocuteur pour tout ce qui touche à vos prestations.

- **Messagerie** : réponse sous 24 heures ouvrées.
- **Téléphone** : aux heures d'ouverture de l'agence.

Une intervention ne vous a pas satisfait ? Dites-le-lui : il organise un échange avec
l'intervenant ou un passage de rattrapage.""",
    ),
    (
        tips.PET_HAIR,
        A,
        C.HOUSEKEEPING_TIPS,
        "Venir à bout des poils d'animaux",
        """Chiens et chats perdent leurs poils toute l'année, plus encore au printemps.

- Brossez votre animal régulièrement, dehors si possible.
- Un gant en caoutchouc légèrement humide ramasse les poils sur les tissus.
- Prévenez votre intervenant : il pensera à l'aspirateur avec brosse spéciale.""",
    ),
    (
        "avance-immediate-credit-impot",
        F,
        C.TAX_CREDIT,
        "Qu'est-ce que l'avance immédiate du crédit d'impôt ?",
        """L'Urssaf verse tout de suite 50 % des sommes dues : vous ne payez que le reste,
au lieu d'avancer la totalité et d'attendre le crédit d'impôt l'année suivante.
L'activation se fait une fois, depuis votre espace.""",
    ),
    (
        "attestation-fiscale",
        F,
        C.TAX_CREDIT,
        "Quand reçois-je mon attestation fiscale annuelle ?",
        """Chaque année, avant la déclaration de revenus, une attestation des sommes
effectivement payées l'année précédente est disponible dans l'onglet *Factures*.""",
    ),
    (
        "signaler-une-absence",
        F,
        C.VISITS,
        "Je serai absent : que faire de mes interventions ?",
        """Déclarez votre absence depuis l'onglet *Planning* : les interventions concernées
sont annulées ou déplacées selon votre choix, et l'agence est prévenue.""",
    ),
    (
        "modifier-mot-de-passe",
        F,
        C.ACCOUNT,
        "Comment modifier mon mot de passe ?",
        """Dans *Mon compte*, choisissez **Changer de mot de passe**. Un changement est conseillé
tous les six mois ; votre accès n'est jamais bloqué pour autant.""",
    ),
]


async def seed_shared_articles() -> int:
    """Creates the missing shared articles; returns how many were created."""
    now = utcnow()
    rows = await HelpArticle.filter(agency_id=None).values_list("slug", flat=True)
    existing = {str(slug) for slug in rows}
    created = 0
    for slug, kind, category, title, body in SHARED_ARTICLES:
        if slug in existing:
            continue
        await HelpArticle.create(
            agency_id=None,
            slug=slug,
            kind=kind,
            category=category,
            title=title,
            body=body,
            title_search=search_text.stored(title),
            search_text=search_text.stored(f"{title}\n{body}"),
            published_at=now,
            created_at=now,
            updated_at=now,
        )
        created += 1
    return created


async def seed_agency_content(agency_id: int) -> None:
    """A news item and an upcoming webinar for the demo agency."""
    now = utcnow()
    title = "Nouveau : le repassage à domicile"
    if not await NewsItem.exists(agency_id=agency_id, title=title):
        await NewsItem.create(
            agency_id=agency_id,
            kind=NewsKind.SERVICE_CHANGE,
            title=title,
            body="Votre intervenant peut désormais s'occuper du **repassage** pendant sa visite. "
            "Parlez-en à votre conseiller.",
            published_at=now,
            created_at=now,
            updated_at=now,
        )
    if not await Webinar.exists(agency_id=agency_id, starts_at__gt=now):
        starts = (now + timedelta(days=14)).replace(hour=17, minute=0, second=0, microsecond=0)
        await Webinar.create(
            agency_id=agency_id,
            title="Tout savoir sur l'avance immédiate du crédit d'impôt",
            description="Trente minutes pour comprendre l'avance immédiate, suivies de vos "
            "questions.",
            starts_at=starts,
            duration_minutes=45,
            ends_at=starts + timedelta(minutes=45),
            link="https://webinaires.passage.example/avance-immediate",
            capacity=50,
            published_at=now,
            created_at=now,
            updated_at=now,
        )
