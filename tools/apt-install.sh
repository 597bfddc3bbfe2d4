# Sourced by tools/ensure-*.sh: `apt_install WHAT PACKAGE...` installs the
# Debian/Ubuntu packages with apt-get where it is usable (as root, or with
# password-less sudo) and returns 0; otherwise it says why on stderr and
# returns 1, leaving the caller to say what to do instead.
apt_install() {
  local what=$1 sudo="" start=$SECONDS
  shift
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing for $what: $* (Debian/Ubuntu package names; no apt-get here)." >&2
    return 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo -n"
    else
      echo "Missing for $what: $* (apt-get needs root here)." >&2
      return 1
    fi
  fi
  echo "Installing for $what with apt: $*..."
  if ! { $sudo apt-get update -qq && \
         $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
           "$@" >/dev/null; }; then
    echo "apt-get could not install $*." >&2
    return 1
  fi
  echo "Installed in $((SECONDS - start)) s."
}
