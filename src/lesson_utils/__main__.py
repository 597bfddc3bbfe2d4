"""``python -m lesson_utils train ...``: see :mod:`lesson_utils.cli`."""

from .cli import main

if __name__ == "__main__":  # importing this module (e.g. doctest collection) runs nothing
    raise SystemExit(main())
