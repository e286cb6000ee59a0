using Push.Testing;

namespace LocalFunctionsHost.Tests.Infrastructure;

/// <summary>
/// One Azurite for every test here, and the tests one after another: each starts a host and a worker (two .NET
/// processes), which is as much as the shared cores should carry at once.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LocalHostCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "LocalFunctionsHost";
}
