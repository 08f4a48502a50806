#!/usr/bin/env bash
# Installs the Debian packages the system tests drive for real:
#   chromium        - the interactive flow's end-to-end tests (interop/chromium/)
#   dbus            - dbus-daemon / dbus-run-session for the Linux broker and Secret Service tests
#   gnome-keyring   - a real Secret Service for the encrypted cache (cache/)
#   libsecret-tools - secret-tool, to cross-check items with libsecret
#   python3-msal, python3-azure, python3-msal-extensions
#                   - real MSAL Python and azure-identity for interop/msalpy
#   azure-cli       - the real Azure CLI, whose sign-in azurecli/ reuses
#   openssh-server, openssh-client
#                   - real sshd and ssh for the SSH-certificate test (cmd/entraauth/)
# Only as root with apt-get; otherwise it reports what is missing and the
# tests that need it skip (or fail under ENTRAAUTH_REQUIRE_SYSTEM_TESTS=1).
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v dbus-daemon >/dev/null 2>&1 || need+=(dbus)
command -v dbus-run-session >/dev/null 2>&1 || need+=(dbus)
command -v gnome-keyring-daemon >/dev/null 2>&1 || need+=(gnome-keyring)
command -v secret-tool >/dev/null 2>&1 || need+=(libsecret-tools)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import msal' >/dev/null 2>&1 || need+=(python3-msal)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import azure.identity' >/dev/null 2>&1 || need+=(python3-azure)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import msal_extensions' >/dev/null 2>&1 || need+=(python3-msal-extensions)
[ -x /usr/bin/az ] || need+=(azure-cli)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
if [ ${#need[@]} -eq 0 ]; then
	echo "system packages: all present"
	exit 0
fi
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing: ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	exit $?
fi
echo "system packages missing (tests needing them will skip): ${need[*]}"
