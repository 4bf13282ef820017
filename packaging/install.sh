#!/bin/sh
# Adds Facial Symmetry Coach to this user's application menu (no root needed), pointing at
# the folder this script was unpacked with. `./install.sh --uninstall` removes the entry again.
# Your own data (sessions, patients) is never touched: it lives in ~/.local/share/facecoach.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
app="$here/facecoach/facecoach"
share="${XDG_DATA_HOME:-$HOME/.local/share}"
case "$share" in /*) ;; *) share="$HOME/.local/share" ;; esac  # a relative XDG_DATA_HOME is invalid
desktop="$share/applications/facecoach.desktop"
icon="$share/icons/hicolor/256x256/apps/facecoach.png"

refresh() {
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$share/applications" 2>/dev/null || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$share/icons/hicolor" 2>/dev/null || true
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$desktop" "$icon"
    refresh
    echo "Removed the menu entry. The program folder ($here) and your data were left as they are."
    exit 0
fi

if [ ! -x "$app" ]; then
    echo "install.sh: $app is missing; run this script from the unpacked folder" >&2
    exit 1
fi
case "$here" in
    *'"'* | *'`'* | *'$'* | *'\'* | *'%'*)
        echo "install.sh: the folder name $here has a character a menu entry cannot hold (\" \` \$ \\ %); move it" >&2
        exit 1 ;;
esac

mkdir -p "$share/applications" "$share/icons/hicolor/256x256/apps"
cp "$here/facecoach.png" "$icon"
escaped=$(printf '%s' "$app" | sed 's/[|&]/\\&/g')  # for the sed replacement below
sed -e "s|^Exec=.*|Exec=\"$escaped\"|" -e "s|^TryExec=.*|TryExec=$escaped|" \
    -e "/^# install.sh/d" "$here/facecoach.desktop" > "$desktop.tmp"
chmod 644 "$desktop.tmp" "$icon"
mv "$desktop.tmp" "$desktop"
refresh
echo "Added Facial Symmetry Coach to your application menu ($desktop)."
echo "It runs $app; to use the command line too: ln -s \"$app\" ~/.local/bin/facecoach"
