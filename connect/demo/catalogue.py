"""The demo catalogue: a French concept store (épicerie fine, maison, papeterie, librairie).

Each entry: SKU, name, shelf price tax included, tax rate. Food and books take the reduced
5.5 % VAT rate, everything else the standard 20 %. SKUs have at most 20 characters, as Hiboutik
keeps no more in a product's reference (the demo exports them to the simulator).
"""

from decimal import Decimal

REDUCED = Decimal("5.5")
STANDARD = Decimal("20")

PRODUCTS: list[tuple[str, str, str, Decimal]] = [
    ("EPI-CONF-FRAISE", "Confiture de fraises extra 350 g", "6.90", REDUCED),
    ("EPI-CONF-ABRICOT", "Confiture d'abricots du Roussillon 350 g", "6.90", REDUCED),
    ("EPI-MIEL-LAVANDE", "Miel de lavande de Provence 250 g", "9.50", REDUCED),
    ("EPI-HUILE-OLIVE", "Huile d'olive vierge extra 50 cl", "14.90", REDUCED),
    ("EPI-VINAIGRE-CIDRE", "Vinaigre de cidre de Normandie 50 cl", "5.20", REDUCED),
    ("EPI-SEL-GUERANDE", "Fleur de sel de Guérande 125 g", "4.80", REDUCED),
    ("EPI-MOUTARDE-DIJON", "Moutarde de Dijon à l'ancienne 210 g", "3.60", REDUCED),
    ("EPI-TAPENADE-NOIRE", "Tapenade d'olives noires 90 g", "5.40", REDUCED),
    ("EPI-RILLETTE-SARDINE", "Rillettes de sardines au citron 100 g", "6.20", REDUCED),
    ("EPI-CAFE-MOULU", "Café moulu pur arabica 250 g", "8.90", REDUCED),
    ("EPI-THE-EARLGREY", "Thé noir Earl Grey en vrac 100 g", "9.80", REDUCED),
    ("EPI-CHOCO-NOIR70", "Tablette chocolat noir 70 % 100 g", "3.95", REDUCED),
    ("EPI-CARAMEL-BEURRE", "Caramels au beurre salé 150 g", "6.50", REDUCED),
    ("EPI-BISCUITS-SABLES", "Sablés bretons pur beurre 200 g", "4.30", REDUCED),
    ("EPI-CALISSONS", "Calissons d'Aix 200 g", "14.50", REDUCED),
    ("EPI-NOUGAT", "Nougat de Montélimar tendre 150 g", "7.90", REDUCED),
    ("EPI-PATES-ARTISAN", "Pâtes artisanales au blé dur 500 g", "4.20", REDUCED),
    ("EPI-LENTILLES-PUY", "Lentilles vertes du Puy AOP 500 g", "4.60", REDUCED),
    ("BOI-JUS-POMME", "Jus de pomme artisanal 1 L", "4.50", REDUCED),
    ("BOI-LIMONADE", "Limonade artisanale 75 cl", "3.90", REDUCED),
    ("BOI-SIROP-VIOLETTE", "Sirop de violette 50 cl", "7.20", REDUCED),
    ("LIB-CUISINE-BISTROT", "Livre « La cuisine de bistrot »", "24.90", REDUCED),
    ("LIB-GUIDE-PARIS", "Guide « Paris gourmand »", "16.00", REDUCED),
    ("LIB-CARNET-RECETTES", "Carnet de recettes à compléter", "12.90", REDUCED),
    ("MAI-MUG-GRES", "Mug en grès émaillé bleu", "14.00", STANDARD),
    ("MAI-BOL-CERAMIQUE", "Bol en céramique fait main", "16.50", STANDARD),
    ("MAI-ASSIETTE-LIN", "Assiette plate motif lin Ø 27 cm", "12.00", STANDARD),
    ("MAI-TORCHON-LIN", "Torchon en lin lavé", "15.90", STANDARD),
    ("MAI-TABLIER-COTON", "Tablier de cuisine en coton bio", "29.00", STANDARD),
    ("MAI-BOUGIE-FIGUIER", "Bougie parfumée figuier 180 g", "24.00", STANDARD),
    ("MAI-BOUGIE-MIMOSA", "Bougie parfumée mimosa 180 g", "24.00", STANDARD),
    ("MAI-DIFFUSEUR-LAVAND", "Diffuseur de parfum lavande 100 ml", "32.00", STANDARD),
    ("MAI-PLAID-LAINE", "Plaid en laine des Pyrénées", "89.00", STANDARD),
    ("MAI-COUSSIN-VELOURS", "Housse de coussin velours 45 × 45", "27.50", STANDARD),
    ("MAI-VASE-VERRE", "Vase en verre recyclé", "34.00", STANDARD),
    ("MAI-PLANCHE-CHENE", "Planche à découper en chêne", "39.00", STANDARD),
    ("MAI-OPINEL-N8", "Couteau pliant n° 8 manche hêtre", "16.90", STANDARD),
    ("BEA-SAVON-MARSEILLE", "Savon de Marseille à l'huile d'olive 300 g", "5.90", STANDARD),
    ("BEA-SAVON-ANESSE", "Savon au lait d'ânesse 100 g", "6.50", STANDARD),
    ("BEA-CREME-MAINS", "Crème mains au karité 75 ml", "11.90", STANDARD),
    ("BEA-EAU-COLOGNE", "Eau de Cologne fleur d'oranger 100 ml", "28.00", STANDARD),
    ("PAP-CARNET-A5", "Carnet ligné A5 couverture lin", "13.50", STANDARD),
    ("PAP-STYLO-PLUME", "Stylo plume laqué noir", "45.00", STANDARD),
    ("PAP-CARTE-POSTALE", "Carte postale illustrée Paris", "2.00", STANDARD),
    ("PAP-AGENDA-2027", "Agenda semainier 2027", "19.90", STANDARD),
    ("PAP-CRAYONS-COULEUR", "Boîte de 24 crayons de couleur", "22.00", STANDARD),
    ("ACC-TOTE-BAG", "Sac cabas en toile de coton", "18.00", STANDARD),
    ("ACC-BERET-LAINE", "Béret en laine mérinos", "35.00", STANDARD),
    ("ACC-MARINIERE", "Marinière rayée en coton", "59.00", STANDARD),
    ("ACC-CHAUSSETTES", "Chaussettes en coton peigné", "12.00", STANDARD),
]

CUSTOMERS: list[dict[str, str]] = [
    {"first_name": "Camille", "last_name": "Martin", "city": "Paris", "postcode": "75004"},
    {"first_name": "Louis", "last_name": "Bernard", "city": "Lyon", "postcode": "69002"},
    {"first_name": "Léa", "last_name": "Dubois", "city": "Marseille", "postcode": "13001"},
    {"first_name": "Hugo", "last_name": "Thomas", "city": "Toulouse", "postcode": "31000"},
    {"first_name": "Chloé", "last_name": "Robert", "city": "Nantes", "postcode": "44000"},
    {"first_name": "Lucas", "last_name": "Richard", "city": "Bordeaux", "postcode": "33000"},
    {"first_name": "Manon", "last_name": "Petit", "city": "Lille", "postcode": "59000"},
    {"first_name": "Gabriel", "last_name": "Durand", "city": "Rennes", "postcode": "35000"},
    {"first_name": "Inès", "last_name": "Leroy", "city": "Strasbourg", "postcode": "67000"},
    {"first_name": "Arthur", "last_name": "Moreau", "city": "Montpellier", "postcode": "34000"},
    {"first_name": "Jade", "last_name": "Simon", "city": "Nice", "postcode": "06000"},
    {"first_name": "Jules", "last_name": "Laurent", "city": "Dijon", "postcode": "21000"},
    {"first_name": "Louise", "last_name": "Lefebvre", "city": "Grenoble", "postcode": "38000"},
    {"first_name": "Adam", "last_name": "Michel", "city": "Angers", "postcode": "49000"},
    {"first_name": "Alice", "last_name": "Garcia", "city": "Reims", "postcode": "51100"},
    {"first_name": "Raphaël", "last_name": "David", "city": "Tours", "postcode": "37000"},
    {"first_name": "Emma", "last_name": "Bertrand", "city": "Bruxelles", "postcode": "1000"},
    {"first_name": "Noah", "last_name": "Roux", "city": "Genève", "postcode": "1201"},
    {
        "first_name": "Sophie",
        "last_name": "Vincent",
        "city": "Paris",
        "postcode": "75011",
        "company": "Atelier Vincent SARL",
    },
    {
        "first_name": "Paul",
        "last_name": "Fournier",
        "city": "Annecy",
        "postcode": "74000",
        "company": "Hôtel du Lac",
    },
]

COUNTRY_BY_CITY = {"Bruxelles": "BE", "Genève": "CH"}
REGION_BY_COUNTRY = {"FR": "", "BE": "Bruxelles-Capitale", "CH": "Genève"}
