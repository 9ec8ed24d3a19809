"""Host communes: the request form (« demande d'accueil »), its checks and its exports."""
