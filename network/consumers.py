"""A ping/echo socket: lets health checks and tests prove the WebSocket stack end to end."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from network.realtime import LayerOutageMixin


class PingConsumer(LayerOutageMixin, AsyncJsonWebsocketConsumer):
    """Echoes ``{"type": "ping"}`` as ``pong`` through the channel layer, so a reply proves both
    the routing stack and a real channel-layer round trip."""

    async def connect(self) -> None:
        self.group = f"ping.{self.channel_name.replace('!', '_')}"[:90]
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict) or content.get("type") != "ping":
            await self.send_json({"type": "error", "message": 'Send {"type": "ping"}.'})
            return
        await self.channel_layer.group_send(self.group, {"type": "pong.event", "data": content.get("data")})

    async def pong_event(self, event) -> None:
        user = self.scope.get("user")
        await self.send_json(
            {"type": "pong", "data": event.get("data"), "authenticated": bool(user and user.is_authenticated)}
        )
