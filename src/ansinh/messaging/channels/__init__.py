"""Channel adapters, one per provider, all behind :class:`base.ChannelAdapter`."""
