"""MentorsFunction: browsing (public) and mentor self-service."""
