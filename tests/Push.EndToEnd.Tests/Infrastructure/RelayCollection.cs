namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>Tests that share one Azurite, one sandbox and one relay host. Each uses its own users and tokens.</summary>
[CollectionDefinition(Name)]
public sealed class RelayCollection : ICollectionFixture<RelayEnvironment>
{
    public const string Name = "relay";
}
