"""The dashboard screen: signatures per campaign, per day of confirmation, per country."""
