#!/bin/sh
# Print the path of a Python >= 3.12 interpreter: PATH first, then pyenv's installed versions.
# Exit 1 with a one-line error when none exists. (Mesa >= 3.4 needs Python >= 3.12.)
ok() { "$1" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }
for cand in python3.12 python3.13 python3.14 python3 python; do
  path=$(command -v "$cand" 2>/dev/null) || continue
  if ok "$path"; then echo "$path"; exit 0; fi
done
root=${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}
for path in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do
  if ok "$path"; then echo "$path"; exit 0; fi
done
echo "error: Surplus needs Python >= 3.12 (Mesa 3.5 requires it); install python3.12 or newer (e.g. 'pyenv install 3.12') and re-run make" >&2
exit 1
