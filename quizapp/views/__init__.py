"""Blueprints by audience. Views are thin: parse with a form, call a service, commit once, render."""
