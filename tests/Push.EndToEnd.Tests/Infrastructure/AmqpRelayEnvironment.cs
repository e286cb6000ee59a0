namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>The same relay with <c>Queues__Transport=ServiceBus</c>, its events on a real RabbitMQ over AMQP 1.0.</summary>
public sealed class AmqpRelayEnvironment : RelayEnvironment
{
    protected override bool UsesAmqp => true;
}
