"""What a message is about: language, keyword rules and their decision, the trained model, staff
corrections and location. Pure functions over text; may import ``daemon.store`` for training data,
never ``handlers``, ``mail`` sending or ``web``.
"""
