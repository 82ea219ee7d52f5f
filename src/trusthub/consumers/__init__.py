"""Every RabbitMQ entry point: decode → service → ack. Handlers are plain
`async def handle(message, deps)`; `runner.adapt` owns ack/nack/reject."""
