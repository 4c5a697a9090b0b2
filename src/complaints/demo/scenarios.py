"""Eight realistic sample complaints: channels, products, regions, customer types, languages."""

from __future__ import annotations

from complaints.intake import Intake

SAMPLES: dict[str, Intake] = {
    "satisfied": Intake(
        name="Marie Lefèvre",
        email="marie.lefevre@exemple.fr",
        consent_contact=True,
        phone="06 12 34 56 78",
        subject="Colis jamais livré",
        channel="web",
        product="Box Fibre",
        region="Bretagne",
        description="Mon colis contenant la box devait être livré le 3. Le transporteur indique qu'il a "
        "été livré mais je n'ai rien reçu. Je suis sans internet depuis une semaine.",
        desired_outcome="Recevoir la box au plus vite et un geste commercial.",
    ),
    "no_feedback": Intake(
        name="Jean-Pierre Martin",
        email="jp.martin@exemple.fr",
        consent_contact=True,
        subject="Facture contestée",
        channel="letter",
        product="Téléphone mobile",
        region="Occitanie",
        customer_type="professional",
        description="Ma facture de mars comporte des frais d'itinérance alors que je ne suis pas sorti "
        "de France. Je demande le remboursement de ces frais.",
        desired_outcome="Remboursement des frais d'itinérance.",
    ),
    "review": Intake(
        name="Sophie Bernard",
        email="sophie.bernard@exemple.fr",
        consent_contact=True,
        subject="Lave-linge en panne après 2 mois",
        channel="email",
        product="Électroménager",
        region="Île-de-France",
        description="Le lave-linge acheté en janvier est en panne : il ne fonctionne plus et affiche E21. "
        "Le technicien n'est pas venu au rendez-vous.",
        desired_outcome="Réparation ou remplacement.",
    ),
    "mediation": Intake(
        name="Ahmed Benali",
        email="ahmed.benali@exemple.fr",
        consent_contact=True,
        consent_share=True,
        subject="Résiliation non prise en compte",
        channel="in_person",
        product="Assurance habitation",
        region="Provence-Alpes-Côte d'Azur",
        description="J'ai résilié mon contrat en agence en décembre. Les prélèvements continuent depuis "
        "trois mois malgré mes relances.",
        desired_outcome="Arrêt des prélèvements et remboursement des trois mois.",
    ),
    "overdue": Intake(
        name="Claire Dubois",
        email="claire.dubois@exemple.fr",
        consent_contact=True,
        consent_share=False,  # the mediator gets the file without her identity or account
        subject="Coupure d'électricité injustifiée",
        channel="web",
        product="Électricité",
        region="Hauts-de-France",
        description="Mon électricité a été coupée alors que mes factures sont payées. La coupure a duré "
        "deux jours.",
        desired_outcome="Indemnisation des deux jours de coupure.",
    ),
    "english": Intake(
        name="Oliver Smith",
        email="oliver.smith@example.co.uk",
        consent_contact=True,
        phone="+44 20 7946 0958",
        subject="Heater caught fire",
        channel="phone",
        product="Électroménager",
        region="Nouvelle-Aquitaine",
        language="en",
        description="The electric heater I bought last month overheated and caught fire. I put it out "
        "but I have a small burn on my hand. This is a safety issue.",
        desired_outcome="A refund and assurance that this model is checked.",
    ),
    "information": Intake(
        name="Lucie Garnier",
        email="lucie.garnier@exemple.fr",
        consent_contact=True,
        subject="Téléviseur livré avec l'écran fissuré",
        channel="web",
        product="Électroménager",
        region="Bretagne",
        description="Le téléviseur commandé est arrivé avec l'écran fissuré dans un carton intact.",
        desired_outcome="Un échange.",
    ),
    # Marie writes again about the same parcel before her first complaint is answered.
    "duplicate": Intake(
        name="Marie Lefèvre",
        email="marie.lefevre@exemple.fr",
        consent_contact=True,
        subject="Toujours pas de box",
        channel="email",
        product="Box Fibre",
        region="Bretagne",
        description="Je vous ai déjà écrit : mon colis n'a jamais été livré, je n'ai toujours pas "
        "de box.",
    ),
}

EXPECTED = {
    "satisfied": ("closed", "satisfied"),
    "no_feedback": ("closed", "no_feedback"),
    "review": ("closed", "satisfied"),
    "mediation": ("closed", "mediation"),
    "overdue": ("closed", "mediation"),
    "english": ("closed", "satisfied"),
    "information": ("closed", "satisfied"),
    "duplicate": ("closed", "merged"),
    "by_email": ("closed", "satisfied"),
}
