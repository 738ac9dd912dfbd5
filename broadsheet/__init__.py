"""Broadsheet: a news publishing platform for newsrooms that live on subscriptions."""
