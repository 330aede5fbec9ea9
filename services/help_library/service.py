"""Getting started, visits, absences, billing, tax credit, access codes and contact."""

from __future__ import annotations

from services.help_library.entry import LibraryArticle as A

START, VISITS, BILLING, TAX = "GETTING_STARTED", "VISITS", "BILLING", "TAX_CREDIT"
ACCOUNT, CONTACT = "ACCOUNT", "CONTACT"

SERVICE_ARTICLES: tuple[A, ...] = (
    A(
        "bien-demarrer",
        False,
        START,
        "Bien démarrer avec votre agence",
        "debut bienvenue premier pas nouveau client planning",
        """Bienvenue ! Voici l'essentiel pour vos premières semaines.

1. **Votre planning** : retrouvez vos interventions à venir dans l'onglet *Planning*.
2. **Votre intervenant** : il pointe son arrivée et son départ depuis son téléphone ;
   vous êtes prévenu en direct.
3. **Vos factures** : chaque mois, une facture détaillée, avec l'avance immédiate du
   crédit d'impôt si vous l'avez choisie.

Une question ? Votre conseiller vous répond par la messagerie.""",
    ),
    A(
        "preparer-votre-logement",
        False,
        START,
        "Préparer votre logement avant une intervention",
        "preparer logement maison rangement acces produit materiel aspirateur avant visite",
        """Quelques minutes de préparation font gagner du temps à l'intervenant :

- rangez les objets de valeur, papiers et bijoux ;
- dégagez les surfaces à nettoyer (vaisselle, linge, jouets) ;
- laissez le matériel et les produits au même endroit à chaque visite ;
- signalez dans la note de l'intervention ce qui compte cette fois-ci
  (invités, travaux, pièce à éviter).

Un objet fragile ou de valeur ? Dites-le dans votre profil *Mon foyer*.""",
    ),
    A(
        "premiere-intervention",
        True,
        START,
        "Comment se passe la première intervention ?",
        "premiere visite intervention accueil consigne rencontre intervenant",
        """Si possible, soyez présent : vous faites le tour du logement avec l'intervenant,
montrez le matériel et les produits, et indiquez vos priorités. Ensuite, il pointe
son arrivée et son départ ; vous les voyez en direct et pouvez noter la visite.""",
    ),
    A(
        "reserver-une-intervention-supplementaire",
        False,
        VISITS,
        "Réserver une intervention supplémentaire",
        "reserver demande ponctuelle supplementaire extra grand menage vitre repassage",
        """Besoin d'un coup de main en plus (grand ménage, vitres, repassage) ?

- Depuis l'onglet *Planning*, choisissez **Demander une intervention**.
- Indiquez le jour, la durée et la prestation souhaitée.
- L'agence confirme le créneau et l'intervenant.

Les demandes faites 48 heures à l'avance sont les plus faciles à satisfaire.""",
    ),
    A(
        "modifier-ou-annuler-une-intervention",
        False,
        VISITS,
        "Déplacer ou annuler une intervention",
        "changement modifier deplacer annuler annulation creneau delai prevenance",
        """Depuis l'intervention, choisissez **Demander un changement** : nouveau créneau,
autre durée, autre prestation ou annulation.

- Une demande faite avant le délai de prévenance de l'agence (48 heures par défaut)
  est gratuite.
- Une annulation plus tardive peut être facturée : l'intervenant s'était rendu
  disponible.

Vous suivez la réponse de l'agence en direct.""",
    ),
    A(
        "signaler-une-absence",
        True,
        VISITS,
        "Je serai absent : que faire de mes interventions ?",
        "absence vacances deplacement conge changement annuler reporter",
        """Déclarez votre absence depuis l'onglet *Planning* : les interventions concernées
sont annulées ou déplacées selon votre choix, et l'agence est prévenue.""",
    ),
    A(
        "comprendre-votre-facture",
        False,
        BILLING,
        "Comprendre votre facture mensuelle",
        "facture mensuelle ligne heure taux tva montant avoir paiement",
        """Chaque mois, une facture reprend les interventions réalisées :

- une ligne par intervention, avec la durée pointée (ou prévue, si l'agence l'a
  corrigée) et le taux horaire de la prestation ;
- la TVA (10 % pour la plupart des services à la personne) ;
- l'avance immédiate déduite, si vous l'avez activée : vous ne payez que le reste.

Une erreur ? L'agence émet un avoir qui annule la facture, puis une facture juste.""",
    ),
    A(
        "moyens-de-paiement",
        True,
        BILLING,
        "Quels moyens de paiement sont acceptés ?",
        "paiement prelevement sepa carte virement cheque cesu prefinance apa pch",
        """Carte, prélèvement SEPA, virement, chèque, CESU préfinancé, et les aides APA ou
PCH versées par le département. Les CESU préfinancés sont déduits du montant de votre
attestation fiscale.""",
    ),
    A(
        "factures-et-attestations",
        False,
        BILLING,
        "Retrouver et télécharger factures et attestations",
        "facture attestation fiscale telecharger pdf document releve annuel",
        """Dans l'onglet *Factures* :

- chaque **facture** et chaque **avoir** en PDF, avec leur statut de paiement ;
- le **relevé annuel** de vos paiements ;
- l'**attestation fiscale** de l'année écoulée, à joindre à votre déclaration de
  revenus.

Les documents restent disponibles tant que vous êtes client, puis le temps prévu par
la loi.""",
    ),
    A(
        "credit-impot-services-a-la-personne",
        False,
        TAX,
        "Le crédit d'impôt de 50 % pour l'emploi à domicile",
        "credit impot reduction 50 pourcent plafond declaration revenus article 199 sexdecies",
        """Les sommes payées pour des services à la personne ouvrent droit à un crédit
d'impôt de 50 % (article 199 sexdecies du Code général des impôts), dans la limite
d'un plafond annuel de dépenses (12 000 € en général, majoré selon le foyer).

Seules les sommes **effectivement payées** comptent : les aides reçues (APA, PCH,
CESU préfinancé) en sont déduites. Votre attestation fiscale annuelle donne le
montant à déclarer.""",
    ),
    A(
        "avance-immediate-credit-impot",
        True,
        TAX,
        "Qu'est-ce que l'avance immédiate du crédit d'impôt ?",
        "avance immediate urssaf credit impot 50 pourcent",
        """L'Urssaf verse tout de suite 50 % des sommes dues : vous ne payez que le reste,
au lieu d'avancer la totalité et d'attendre le crédit d'impôt l'année suivante.
L'activation se fait une fois, depuis votre espace.""",
    ),
    A(
        "activer-avance-immediate",
        False,
        TAX,
        "Activer l'avance immédiate et valider vos demandes de paiement",
        "avance immediate urssaf activer inscription validation 48 heures contester",
        """1. Depuis votre espace, activez l'avance immédiate : l'agence vous inscrit auprès
   de l'Urssaf (identité et coordonnées bancaires).
2. Chaque mois, l'Urssaf vous demande de **valider** la demande de paiement de
   l'agence : vous avez 48 heures ; sans réponse, elle est validée.
3. L'Urssaf prélève votre part (50 %) et verse le reste à l'agence.

Vous pouvez contester une demande erronée : l'agence la corrige.""",
    ),
    A(
        "attestation-fiscale",
        True,
        TAX,
        "Quand reçois-je mon attestation fiscale annuelle ?",
        "attestation fiscale annuelle impot declaration",
        """Chaque année, avant la déclaration de revenus, une attestation des sommes
effectivement payées l'année précédente est disponible dans l'onglet *Factures*.""",
    ),
    A(
        "codes-acces-securite",
        False,
        ACCOUNT,
        "Codes d'accès et clés : vos informations sont protégées",
        "code acces digicode alarme boite a cle securite chiffre confidentiel",
        """Les codes que vous confiez (digicode, alarme, boîte à clés) sont **chiffrés** :
ils ne sont montrés qu'à l'intervenant assigné, le temps de ses interventions.

Bonnes pratiques :

- ne les écrivez jamais dans un message ou une note libre ;
- changez le code d'une boîte à clés quand un intervenant ne vient plus ;
- prévenez l'agence à tout changement de code.""",
    ),
    A(
        "remise-des-cles",
        True,
        ACCOUNT,
        "Comment confier mes clés à l'intervenant ?",
        "cle remise gardienne boite a cle securite absence",
        """Remettez-les en main propre lors de la première intervention, ou laissez-les
dans une boîte à clés dont vous donnez le code dans *Mon foyer* (chiffré). Une clé
confiée à la gardienne ? Indiquez-le dans vos consignes.""",
    ),
    A(
        "modifier-mot-de-passe",
        True,
        ACCOUNT,
        "Comment modifier mon mot de passe ?",
        "mot de passe securite compte connexion",
        """Dans *Mon compte*, choisissez **Changer de mot de passe**. Un changement est conseillé
tous les six mois ; votre accès n'est jamais bloqué pour autant.""",
    ),
    A(
        "contacter-votre-conseiller",
        False,
        CONTACT,
        "Contacter votre conseiller",
        "contact conseiller agence messagerie telephone reclamation insatisfait",
        """Votre conseiller est votre interlocuteur pour tout ce qui touche à vos prestations.

- **Messagerie** : réponse sous 24 heures ouvrées.
- **Téléphone** : aux heures d'ouverture de l'agence.

Une intervention ne vous a pas satisfait ? Dites-le-lui : il organise un échange avec
l'intervenant ou un passage de rattrapage.""",
    ),
    A(
        "assistance-telephonique-premium",
        False,
        CONTACT,
        "L'assistance téléphonique des clients premium",
        "premium telephone rappel appel urgence ligne dediee assistance",
        """Clients premium : votre espace affiche la **ligne dédiée** de l'agence.

Vous préférez être rappelé ? Demandez un **rappel** : sujet, urgence et créneaux où
vous êtes joignable. Votre demande passe en tête de la file de l'agence, avec une
heure de rappel promise comptée en heures ouvrées.

Pour les urgences seulement, vous pouvez aussi indiquer un numéro où l'agence vous
appelle, dans vos préférences de contact.""",
    ),
)
