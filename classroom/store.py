"""A game's state in SQLite (standard library): games, teams and their decisions per round.

Results are not stored: they are a deterministic replay of the scenario with the decisions so far
(`classroom.rounds`), so a server restart loses nothing. The data folder is `results/games/` or the
folder named by the environment variable `SURPLUS_GAMES_DIR`.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GAMES_DIR_ENV = "SURPLUS_GAMES_DIR"
DEFAULT_DIR = Path("results/games")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in a classroom
CODE_LENGTH = 5

SCHEMA = """
CREATE TABLE IF NOT EXISTS games (
    code TEXT PRIMARY KEY, scenario TEXT NOT NULL, rounds INTEGER NOT NULL, timer_s INTEGER NOT NULL,
    seed INTEGER NOT NULL, agents INTEGER, settings TEXT NOT NULL, gm_token TEXT NOT NULL,
    round INTEGER NOT NULL, deadline REAL, paused_left_s REAL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS teams (
    code TEXT NOT NULL, role TEXT NOT NULL, token TEXT NOT NULL UNIQUE, name TEXT NOT NULL, joined REAL NOT NULL,
    PRIMARY KEY (code, role));
CREATE TABLE IF NOT EXISTS decisions (
    code TEXT NOT NULL, round INTEGER NOT NULL, role TEXT NOT NULL, payload TEXT NOT NULL, submitted REAL NOT NULL,
    PRIMARY KEY (code, round, role));
"""


class GameError(ValueError):
    """A request the game refuses; the message says why in plain words (shown to the player)."""


@dataclass(frozen=True)
class Game:
    """One game. `round` is the round open for decisions (1-based); rounds before it are played;
    `round > rounds` means the game is over. `deadline` is a Unix time (None: no timer running);
    `paused_left_s` holds the seconds left while the gamemaster has paused the timer."""

    code: str
    scenario: str
    rounds: int
    timer_s: int
    seed: int
    agents: int | None
    settings: dict[str, Any]
    gm_token: str
    round: int
    deadline: float | None
    paused_left_s: float | None
    created: float

    @property
    def played(self) -> int:
        """Rounds played (with results)."""
        return self.round - 1

    @property
    def over(self) -> bool:
        return self.round > self.rounds

    @property
    def paused(self) -> bool:
        return self.paused_left_s is not None

    def seconds_left(self, now: float | None = None) -> float | None:
        """Seconds left to submit in the open round (None: no timer)."""
        if self.paused_left_s is not None:
            return self.paused_left_s
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - (time.time() if now is None else now))


@dataclass(frozen=True)
class Team:
    code: str
    role: str
    token: str
    name: str


def games_dir() -> Path:
    """The data folder: `$SURPLUS_GAMES_DIR`, else results/games/."""
    return Path(os.environ.get(GAMES_DIR_ENV) or DEFAULT_DIR)


class Store:
    """The games in one SQLite file (`folder`/games.sqlite). Safe to use from several threads (one
    connection per operation); several stores on one file see the same games."""

    def __init__(self, folder: Path | str | None = None) -> None:
        self.folder = Path(folder) if folder is not None else games_dir()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / "games.sqlite"
        with self._db() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:  # a transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()

    # ------------------------------------------------------------------ games
    def create_game(self, scenario: str, rounds: int, timer_s: int, *, seed: int = 1, agents: int | None = None,
                    settings: dict[str, Any] | None = None) -> Game:
        """A new game with a fresh short code; round 1 opens now (its timer starts)."""
        now = time.time()
        for _ in range(100):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            try:
                with self._db() as db:
                    db.execute("INSERT INTO games VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                               (code, scenario, rounds, timer_s, seed, agents, json.dumps(settings or {}),
                                secrets.token_urlsafe(16), 1, now + timer_s if timer_s else None, None, now))
                return self.game(code)
            except sqlite3.IntegrityError:
                continue
        raise GameError("could not find a free game code")  # pragma: no cover (32^5 codes)

    def game(self, code: str) -> Game:
        """The game with this code; `GameError` if there is none."""
        code = (code or "").strip().upper()
        with self._db() as db:
            row = db.execute("SELECT * FROM games WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise GameError(f"no game with code {code!r}")
        (code, scenario, rounds, timer_s, seed, agents, settings, gm, rnd, deadline, left, created) = row
        return Game(code, scenario, rounds, timer_s, seed, agents, json.loads(settings), gm, rnd, deadline, left,
                    created)

    def games(self) -> list[str]:
        """All game codes, newest first."""
        with self._db() as db:
            return [r[0] for r in db.execute("SELECT code FROM games ORDER BY created DESC")]

    def gamemaster(self, code: str, token: str) -> Game:
        """The game, if `token` is its gamemaster's; `GameError` otherwise."""
        game = self.game(code)
        if not token or not secrets.compare_digest(token, game.gm_token):
            raise GameError("this is not the gamemaster's link for this game")
        return game

    def advance(self, code: str, token: str) -> Game:
        """Close the open round (it is then played) and open the next one with a fresh timer."""
        game = self.gamemaster(code, token)
        if game.over:
            raise GameError("the game is over: every round has been played")
        deadline = time.time() + game.timer_s if game.timer_s else None
        with self._db() as db:
            db.execute("UPDATE games SET round = round + 1, deadline = ?, paused_left_s = NULL WHERE code = ?",
                       (deadline, game.code))
        return self.game(code)

    def rewind(self, code: str, token: str) -> Game:
        """Undo the last played round: it opens again (its decisions kept, to be changed), and the
        decisions already made for the round that was open are deleted."""
        game = self.gamemaster(code, token)
        if game.played == 0:
            raise GameError("nothing to rewind: no round has been played yet")
        deadline = time.time() + game.timer_s if game.timer_s else None
        with self._db() as db:
            db.execute("DELETE FROM decisions WHERE code = ? AND round >= ?", (game.code, game.round))
            db.execute("UPDATE games SET round = round - 1, deadline = ?, paused_left_s = NULL WHERE code = ?",
                       (deadline, game.code))
        return self.game(code)

    def pause(self, code: str, token: str, paused: bool) -> Game:
        """Stop the round's timer (keeping the seconds left) or start it again; while paused no team
        may submit."""
        game = self.gamemaster(code, token)
        with self._db() as db:
            if paused and not game.paused:
                db.execute("UPDATE games SET paused_left_s = ? WHERE code = ?",
                           (game.seconds_left() if game.deadline is not None else -1.0, game.code))
            elif not paused and game.paused:
                left = game.paused_left_s
                deadline = None if left is None or left < 0 else time.time() + left
                db.execute("UPDATE games SET paused_left_s = NULL, deadline = ? WHERE code = ?", (deadline, game.code))
        return self.game(code)

    # ------------------------------------------------------------------ teams
    def join(self, code: str, role: str, name: str = "") -> Team:
        """Join the game as `role` (one team per role) before its first round is played (a team that
        joined later would change the replay of the rounds already played); returns the team with its
        secret token."""
        game = self.game(code)
        if game.played:
            raise GameError(f"game {game.code} has started (round {game.played} played): teams join before the "
                            "first round is played")
        token = secrets.token_urlsafe(16)
        try:
            with self._db() as db:
                db.execute("INSERT INTO teams VALUES (?,?,?,?,?)", (game.code, role, token, name or role, time.time()))
        except sqlite3.IntegrityError:
            raise GameError(f"role {role!r} is already taken in game {game.code}") from None
        return Team(game.code, role, token, name or role)

    def team(self, code: str, token: str) -> Team:
        """The team of `code` holding `token`; `GameError` for a wrong token."""
        game = self.game(code)
        with self._db() as db:
            row = db.execute("SELECT code, role, token, name FROM teams WHERE code = ? AND token = ?",
                             (game.code, token or "")).fetchone()
        if row is None:
            raise GameError(f"this team link is not valid for game {game.code}")
        return Team(*row)

    def teams(self, code: str) -> dict[str, Team]:
        """The game's teams by role."""
        with self._db() as db:
            rows = db.execute("SELECT code, role, token, name FROM teams WHERE code = ? ORDER BY joined",
                              (code,)).fetchall()
        return {r[1]: Team(*r) for r in rows}

    # ------------------------------------------------------------------ decisions
    def check_turn(self, code: str, token: str, role: str, name: Callable[[str], str] = str) -> Game:
        """The game, if the team holding `token` may submit for `role` now; `GameError` for another
        role's token, after the deadline, while paused, or once the game is over (`name` words a role)."""
        team = self.team(code, token)
        if team.role != role:
            raise GameError(f"your team plays {name(team.role)}: it cannot submit for {name(role)}")
        game = self.game(code)
        if game.over:
            raise GameError("the game is over: no more decisions")
        if game.paused:
            raise GameError("the gamemaster has paused the game: wait for the timer to restart")
        left = game.seconds_left()
        if left is not None and left <= 0:
            raise GameError(f"time is up for round {game.round}: wait for the gamemaster to advance")
        return game

    def submit(self, code: str, token: str, role: str, payload: dict[str, Any]) -> None:
        """Record `payload` as `role`'s decision for the open round (`check_turn` first). Checking the
        values against the levers is `classroom.rounds.submit`'s job: call that."""
        game = self.check_turn(code, token, role)
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO decisions VALUES (?,?,?,?,?)",
                       (game.code, game.round, role, json.dumps(payload, sort_keys=True), time.time()))

    def decisions(self, code: str) -> dict[int, dict[str, dict[str, Any]]]:
        """round → role → decision payload."""
        with self._db() as db:
            rows = db.execute("SELECT round, role, payload FROM decisions WHERE code = ? ORDER BY round",
                              (code,)).fetchall()
        out: dict[int, dict[str, dict[str, Any]]] = {}
        for rnd, role, payload in rows:
            out.setdefault(rnd, {})[role] = json.loads(payload)
        return out
