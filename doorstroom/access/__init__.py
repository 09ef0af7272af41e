"""The access door. Import as `from doorstroom.access import policy as access`."""
