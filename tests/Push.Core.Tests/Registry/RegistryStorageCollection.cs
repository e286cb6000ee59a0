using Push.Testing;

namespace Push.Core.Tests.Registry;

/// <summary>One Azurite for all registry test classes: starting it is the slowest part of these tests.</summary>
[CollectionDefinition(Name)]
public sealed class RegistryStorageCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Registry storage (Azurite)";
}
