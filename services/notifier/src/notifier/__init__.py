"""Alert rules, channels (e-mail, signed webhooks, Teams, Slack) and scheduled reports."""
