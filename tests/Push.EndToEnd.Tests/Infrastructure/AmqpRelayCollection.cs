namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>Tests that share one RabbitMQ, Azurite, sandbox and relay host on the AMQP (Service Bus) transport.</summary>
[CollectionDefinition(Name)]
public sealed class AmqpRelayCollection : ICollectionFixture<AmqpRelayEnvironment>
{
    public const string Name = "relay-amqp";
}
