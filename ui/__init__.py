"""The browser app's parts (Solara components and the pure functions behind them); `app.py` composes them."""
