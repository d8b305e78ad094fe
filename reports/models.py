# Outcome snapshots and report files are added with the outcome engine.
