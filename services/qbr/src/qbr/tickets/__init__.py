"""ConnectWise reactive-ticket metrics collected per month."""
