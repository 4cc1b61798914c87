"""Demo data: seed_demo and its bulk loaders, on top of every app."""
