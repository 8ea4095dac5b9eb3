"""The admins' routers, each gated once (RouterSpec admin_only): exchange rates, opening
group orders, running them, appointing agents."""
