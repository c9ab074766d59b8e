"""The classroom game: teams play the power sector's stakeholders, the model is the referee.

State and rules only (no UI): `store` (SQLite), `roles` (the role registry), `rounds` (decisions →
dated levers → a replay of the scenario), `scoring`, `export`. The pages are in `ui/game/`.
"""
