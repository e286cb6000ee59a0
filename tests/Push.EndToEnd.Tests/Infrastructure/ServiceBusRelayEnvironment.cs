namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>The same relay with <c>Queues__Transport=ServiceBus</c>: its events on the Service Bus emulator.</summary>
public sealed class ServiceBusRelayEnvironment : RelayEnvironment
{
    protected override bool UsesServiceBus => true;
}

/// <summary>Tests that share one Service Bus emulator, Azurite, sandbox and relay.</summary>
[CollectionDefinition(Name)]
public sealed class ServiceBusRelayCollection : ICollectionFixture<ServiceBusRelayEnvironment>
{
    public const string Name = "relay-servicebus";
}
