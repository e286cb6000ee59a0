using Push.Testing;

namespace Push.Hosting.Tests.Infrastructure;

/// <summary>One Azurite for every queue test; each test uses its own queue names.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
