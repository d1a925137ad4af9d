#!/usr/bin/env bash
# Fetch Django's own template tests from the Django 5.2 source distribution.
#
# They are not part of the installed package, and are not committed here: the
# sdist is downloaded once with pip and unpacked under integration/conformance/.django/
# (gitignored). Prints the path of the unpacked source tree.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="$HERE/.django"
PY="${PYTHON:-$HERE/../../.venv/bin/python}"
VERSION="$("$PY" -c 'import django; print(django.__version__)')"
SRC="$CACHE/Django-$VERSION"

if [[ ! -d "$SRC/tests/template_tests" ]]; then
    mkdir -p "$CACHE"
    # The exact installed version, so the tests match the code they test.
    "$PY" -m pip download --quiet --no-deps --no-binary :all: --dest "$CACHE" "Django==$VERSION" >&2
    tar -xzf "$CACHE/django-$VERSION.tar.gz" -C "$CACHE" \
        "django-$VERSION/tests/template_tests" "django-$VERSION/tests/template_backends" \
        "django-$VERSION/tests/utils_tests" "django-$VERSION/tests/i18n/other" 2>/dev/null \
        || tar -xzf "$CACHE/django-$VERSION.tar.gz" -C "$CACHE"
    if [[ -d "$CACHE/django-$VERSION" && ! -d "$SRC" ]]; then
        mv "$CACHE/django-$VERSION" "$SRC"
    fi
fi
echo "$SRC"
