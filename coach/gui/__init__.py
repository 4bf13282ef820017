"""The desktop app (PySide6). It only displays and forwards what the person asks for;
measuring and coaching happen in the Qt-free core."""
