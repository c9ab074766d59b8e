"""The classroom game's pages (`/game`): join or create, the gamemaster's screen, a team's screen,
the printable handouts. Game state and rules are in `classroom/`."""
