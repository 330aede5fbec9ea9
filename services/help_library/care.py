"""Care of furniture and floors by material, eco-labelled products, and damage."""

from __future__ import annotations

from services.help_library.entry import LibraryArticle as A

FURNITURE = "FURNITURE_CARE"
ECO = "ECO_PRODUCTS"
DAMAGE = "DAMAGE"
TIPS = "HOUSEKEEPING_TIPS"

CARE_ARTICLES: tuple[A, ...] = (
    A(
        "entretien-meubles-bois",
        False,
        FURNITURE,
        "Entretenir les meubles en bois massif, vernis ou cirés",
        "meuble mobilier bois chêne noyer merisier commode table buffet armoire cire vernis",
        """Le bois craint l'eau stagnante, la chaleur et les produits agressifs.

- **Bois vernis ou laqué** : un chiffon microfibre à peine humide, puis un chiffon sec.
  Jamais d'eau de Javel ni de produit à base d'ammoniaque.
- **Bois ciré** : dépoussiérer à sec ; raviver deux fois par an avec une cire d'abeille,
  en couche fine, lustrée au chiffon de laine.
- **Bois brut ou huilé** : dépoussiérer à sec ; une huile adaptée une fois par an.
- Tache d'eau (auréole blanche) : ne frottez pas ; signalez-la à l'intervenant, qui
  n'utilisera aucun produit sans votre accord.

Indiquez dans votre profil les meubles anciens ou fragiles : l'intervenant le lira avant
chaque passage.""",
    ),
    A(
        "entretien-parquet",
        False,
        FURNITURE,
        "Parquet vitrifié, huilé ou ciré : le bon geste pour chacun",
        "sol parquet plancher bois lame vitrifie huile cire serpillere",
        """Un parquet se lave peu et s'essore beaucoup.

- **Vitrifié** : aspirateur avec brosse à poils, puis serpillière microfibre bien essorée
  et quelques gouttes de savon doux (savon noir dilué).
- **Huilé** : un savon spécial parquet huilé, qui nourrit le bois ; pas de vinaigre.
- **Ciré** : aspirateur et balai à franges sec ; jamais d'eau en quantité.

L'eau en excès fait gonfler les lames. Les patins de feutre sous les chaises évitent
les rayures.""",
    ),
    A(
        "entretien-carrelage-tomettes",
        False,
        FURNITURE,
        "Carrelage, tomettes et joints",
        "sol carrelage faience gres cerame tomette terre cuite joint salle de bain",
        """- **Grès cérame et faïence** : eau chaude et savon noir ; rincer pour éviter les
  traces. Les joints noircis se frottent au bicarbonate avec une brosse à dents.
- **Tomettes et terre cuite** : poreuses, elles boivent les taches : un savon doux,
  peu d'eau, et une cire ou une huile de lin tous les un à deux ans.
- Le vinaigre blanc convient au carrelage émaillé, jamais aux joints de ciment fragiles
  ni à la pierre naturelle.""",
    ),
    A(
        "entretien-marbre-pierre",
        False,
        FURNITURE,
        "Marbre et pierre naturelle : ce qu'il ne faut jamais faire",
        "marbre pierre granit travertin plan de travail calcaire acide tache",
        """Le marbre et les pierres calcaires sont attaqués par tout ce qui est acide :
vinaigre, citron, détartrant, certains produits « multi-usages ».

- Nettoyez à l'eau tiède et au savon neutre (pH 7), puis séchez.
- Essuyez vite le vin, le café et le jus d'agrumes.
- Une pierre ternie se traite par un professionnel ; ne tentez pas le bicarbonate,
  abrasif.

Précisez dans votre profil les surfaces en marbre : l'intervenant choisira ses
produits en conséquence.""",
    ),
    A(
        "entretien-cuir",
        False,
        FURNITURE,
        "Canapés et fauteuils en cuir",
        "meuble canape fauteuil cuir salon lait nourrissant",
        """- Dépoussiérez chaque semaine avec un chiffon doux et sec.
- Une fois par trimestre, un lait nourrissant pour cuir, appliqué en mouvements
  circulaires ; testez d'abord sur une partie cachée.
- Éloignez le cuir des radiateurs et du soleil direct, qui le dessèchent.
- Pas d'eau savonneuse ni de lingette ménagère : elles laissent des auréoles.""",
    ),
    A(
        "entretien-tissus-ameublement",
        False,
        FURNITURE,
        "Canapés en tissu, velours, rideaux et tapis",
        "meuble canape tissu velours rideau tapis moquette textile tache detachant",
        """- Aspirez les tissus chaque semaine avec l'embout brosse.
- Une tache fraîche se tamponne (jamais frotter) avec un linge blanc humide.
- Le velours se brosse dans le sens du poil.
- Regardez l'étiquette des housses avant tout lavage en machine.

Les tapis anciens ou en soie se confient à un professionnel.""",
    ),
    A(
        "entretien-vitres-miroirs",
        False,
        FURNITURE,
        "Vitres, miroirs et plateaux en verre sans traces",
        "vitre fenetre miroir verre table plateau trace raclette",
        """- Eau chaude avec un trait de vinaigre blanc ou de liquide vaisselle.
- Une raclette pour les vitres, une microfibre sèche pour finir.
- Évitez le plein soleil : le produit sèche trop vite et laisse des traces.

Le lavage des vitres est une prestation à part entière (« Vitres ») : demandez-la
depuis l'onglet *Planning*.""",
    ),
    A(
        "entretien-inox-electromenager",
        False,
        FURNITURE,
        "Inox, plaques de cuisson et électroménager",
        "inox electromenager four plaque induction vitroceramique refrigerateur hotte cuisine",
        """- **Inox** : microfibre humide dans le sens du brossage, puis une goutte d'huile
  alimentaire pour éviter les traces de doigts.
- **Vitrocéramique et induction** : une fois froides, un grattoir à lame pour les
  résidus, puis une crème spéciale.
- **Réfrigérateur** : eau et bicarbonate ; un bol de bicarbonate retient les odeurs.
- Débranchez les appareils avant tout nettoyage intérieur.""",
    ),
    A(
        "entretien-sols-vinyle-stratifie",
        False,
        FURNITURE,
        "Sols vinyle, linoléum et stratifié",
        "sol vinyle lino linoleum stratifie pvc serpillere",
        """- **Vinyle et linoléum** : eau tiède et savon doux ; pas de solvant ni d'eau de
  Javel pure, qui jaunissent le revêtement.
- **Stratifié** : serpillière à peine humide ; l'eau qui s'infiltre entre les lames
  les fait gonfler.
- Pour tous : un paillasson à l'entrée retient la plus grande partie des saletés.""",
    ),
    A(
        "produits-ecolabel",
        False,
        ECO,
        "Choisir des produits ménagers écologiques",
        "ecologique ecolabel ecocert bio vert environnement produit menager label allergie",
        """Un produit est réellement plus sûr quand il porte un label contrôlé :

- **Écolabel européen** (la fleur) : efficacité vérifiée, impact limité sur l'eau.
- **Ecocert** et **Nature & Progrès** : ingrédients d'origine naturelle.

Méfiez-vous des mentions « vert » ou « naturel » sans label. Préférez les recharges
et les concentrés. En cas d'allergie, indiquez-la dans votre profil : l'intervenant
utilisera les produits que vous fournissez.""",
    ),
    A(
        "vinaigre-bicarbonate-savon-noir",
        False,
        ECO,
        "Vinaigre blanc, bicarbonate, savon noir : bien utiliser les produits simples",
        "ecologique vinaigre bicarbonate savon noir cristaux de soude maison naturel",
        """Trois produits couvrent la plupart des besoins :

- **Vinaigre blanc** : détartre et fait briller (robinetterie, vitres). Jamais sur
  le marbre, la pierre ni les joints fragiles ; jamais mélangé à l'eau de Javel.
- **Bicarbonate de soude** : légèrement abrasif, désodorisant (réfrigérateur, éviers).
- **Savon noir** : dégraissant doux pour les sols et les surfaces.

Ne mélangez pas vinaigre et bicarbonate dans un flacon : ils s'annulent.""",
    ),
    A(
        "vos-produits-preferes",
        False,
        ECO,
        "Indiquer les produits à utiliser ou à éviter",
        "ecologique produit prefere eviter allergie parfum profil preferences",
        """Dans *Mon foyer*, renseignez :

- les produits à **privilégier** (vos produits écologiques, votre marque habituelle) ;
- les produits à **éviter** (parfums, eau de Javel, allergènes).

Votre intervenant voit ces préférences avant chaque passage. Laissez vos produits
dans un endroit accessible et signalez-lui quand ils sont presque vides.""",
    ),
    A(
        "que-faire-apres-un-dommage",
        False,
        DAMAGE,
        "Un objet cassé ou abîmé pendant une intervention : que faire ?",
        "sinistre dommage degat casse abime accident declaration assurance reclamation",
        """Cela arrive rarement, et l'agence est assurée pour cela.

1. **Déclarez le sinistre** depuis l'intervention concernée : *Signaler un dommage*.
   Décrivez ce qui s'est passé, l'endroit, quand vous l'avez remarqué, et une
   estimation de la valeur.
2. **Joignez des photos** (JPEG, PNG, WebP) ou un PDF (facture d'achat, devis).
3. Faites-le **dans le délai** fixé par votre agence (7 jours après l'intervention
   par défaut).

L'agence accuse réception, recueille la version de l'intervenant, saisit son assureur
si besoin et vous propose une réparation ou un remboursement. Vous suivez chaque
étape en direct dans votre espace.""",
    ),
    A(
        "suivi-declaration-sinistre",
        True,
        DAMAGE,
        "Où en est ma déclaration de sinistre ?",
        "sinistre dommage suivi statut remboursement reparation refus assureur",
        """Votre déclaration passe par ces étapes, visibles dans votre espace et
annoncées selon vos préférences de contact :

- **Déclarée** : l'agence l'a reçue.
- **Prise en charge** : un conseiller s'en occupe.
- **En cours d'examen** : l'intervenant a donné sa version ; l'assureur peut être saisi
  (sa référence vous est indiquée).
- **Réparé**, **Remboursé** (avec le montant) ou **Refusé** (avec le motif).

Votre déclaration est conservée le temps prévu par la loi, puis effacée.""",
    ),
    A(
        "poils-animaux",
        False,
        TIPS,
        "Venir à bout des poils d'animaux",
        "animaux chat chien poil aspirateur allergie",
        """Chiens et chats perdent leurs poils toute l'année, plus encore au printemps.

- Brossez votre animal régulièrement, dehors si possible.
- Un gant en caoutchouc légèrement humide ramasse les poils sur les tissus.
- Prévenez votre intervenant : il pensera à l'aspirateur avec brosse spéciale.""",
    ),
)
