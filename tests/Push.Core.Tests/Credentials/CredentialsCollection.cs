using Push.Testing;

namespace Push.Core.Tests.Credentials;

/// <summary>One Azurite for every credentials test; the classes run one after another (they share the Push.Credentials meter).</summary>
[CollectionDefinition(Name)]
public sealed class CredentialsCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Credentials";
}
